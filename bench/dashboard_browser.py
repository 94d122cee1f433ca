"""Chromium figures for ``bench/dashboard.py``: paint and load timings, DOM size, and long tasks under a burst.

Each run is a fresh context (no cache) loading ``/`` in headless Chromium (Debian's, the browser tests' flags).
An init script, injected before the page's own scripts (Playwright's, so the page's CSP does not apply to it),
records long tasks (``PerformanceObserver`` 'longtask', buffered), the DOM size at DOMContentLoaded, and counts
the live stream's events and their bytes (it wraps ``EventSource.prototype.addEventListener``). Once the stream
is open, ``burst`` resources change status through real checks: the target's /flip/ paths switch between 200
and 500 and the bench has Kairos check all of them at once (a bulk ``resume``: the scheduler checks each
resource it reloads at once); the long tasks from then until ``settle_s`` after the bulk request answered are
the page's responsiveness."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.servers.chromium import ARGS, CHROMIUM

INIT = """(() => {
  const kb = window.__kb = {long: [], events: 0, bytes: 0, nodes: null};
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) kb.long.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { kb.noLongTasks = true; }
  document.addEventListener('DOMContentLoaded', () => {
    kb.nodes = document.getElementsByTagName('*').length;
  });
  if (window.EventSource) {
    const seen = new WeakSet(), add = EventSource.prototype.addEventListener;
    EventSource.prototype.addEventListener = function (type, fn, opts) {
      if (type === 'open' || type === 'error') return add.call(this, type, fn, opts);
      return add.call(this, type, function (e) {
        if (!seen.has(e)) { seen.add(e); kb.events++; kb.bytes += (e.data || '').length; }
        return fn.apply(this, arguments);
      }, opts);
    };
  }
})();"""

READ = """() => {
  const f = {}, kb = window.__kb;
  for (const e of performance.getEntriesByType('paint')) f[e.name] = e.startTime;
  const nav = performance.getEntriesByType('navigation')[0];
  f.dcl = nav ? nav.domContentLoadedEventEnd : NaN;
  f.load = nav ? nav.loadEventEnd : NaN;
  const open = performance.getEntriesByName('kairos-stream-open')[0];
  f.streamOpen = open ? open.startTime : NaN;
  f.nodesAtDcl = kb.nodes;
  f.nodesNow = document.getElementsByTagName('*').length;
  f.long = kb.long;
  f.events = kb.events;
  f.bytes = kb.bytes;
  f.now = performance.now();
  return f;
}"""

CONCURRENCY = 50


@dataclass
class Load:
    fcp: float
    dcl: float
    load: float
    stream_open: float
    nodes_at_dcl: float
    nodes_after: float
    longest_in_load: float
    burst: dict[str, float] = field(default_factory=dict)


async def runs(base: str, key: str, target: str, burst_ids: Sequence[int], count: int, settle_s: float) -> list[Load]:
    from playwright.async_api import async_playwright

    out: list[Load] = []
    failing = False
    async with async_playwright() as p, httpx.AsyncClient(base_url=base, timeout=120) as api:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for _ in range(count):
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            await page.add_init_script(INIT)
            await page.goto(base + "/", wait_until="load", timeout=600_000)
            try:
                await page.wait_for_selector("html[data-live=open]", timeout=60_000)
            except Exception:  # the stream never opened: the load figures still count
                print("  (the live stream did not open within 60 s)")
            await page.wait_for_timeout(1000)  # the scripts' first idle work after load
            f = await page.evaluate(READ)
            load = Load(
                fcp=_num(f.get("first-contentful-paint")),
                dcl=_num(f["dcl"]),
                load=_num(f["load"]),
                stream_open=_num(f["streamOpen"]),
                nodes_at_dcl=_num(f["nodesAtDcl"]),
                nodes_after=_num(f["nodesNow"]),
                longest_in_load=max((d for _s, d in f["long"]), default=0.0),
            )
            if burst_ids:
                failing = not failing
                load.burst = await _burst(page, api, key, target, burst_ids, failing, settle_s)
            out.append(load)
            await context.close()
        await browser.close()
        if failing:
            await api.get(target + "/__ok")  # leave the targets answering 200
    return out


async def _burst(
    page: Any, api: httpx.AsyncClient, key: str, target: str, ids: Sequence[int], failing: bool, settle_s: float
) -> dict[str, float]:
    """Flip the targets, check every burst resource now, wait ``settle_s``; the page's long tasks meanwhile."""
    before = await page.evaluate(READ)
    async with httpx.AsyncClient(timeout=10) as t:
        await t.get(target + ("/__fail" if failing else "/__ok"))
    started = time.perf_counter()
    answered = await _check_at_once(api, key, ids)
    checked_s = time.perf_counter() - started
    await page.wait_for_timeout(settle_s * 1000)
    after = await page.evaluate(READ)
    tasks = [d for s, d in after["long"] if s >= before["now"]]
    return {
        "changes": float(answered),
        "checked_s": checked_s,
        "long_tasks": float(len(tasks)),
        "longest_ms": max(tasks, default=0.0),
        "over_100ms": float(sum(1 for d in tasks if d > 100)),
        "total_long_ms": sum(tasks),
        "events": float(after["events"] - before["events"]),
        "event_bytes": float(after["bytes"] - before["bytes"]),
    }


async def _check_at_once(api: httpx.AsyncClient, key: str, ids: Sequence[int]) -> int:
    """``resume`` in one bulk request: every resource named is reloaded and checked at once by the scheduler
    (as after an edit). Where the bulk action is refused (more ids than it takes), "check now" one by one."""
    auth = {"X-API-Key": key}
    r = await api.post("/api/resources/bulk", json={"action": "resume", "resourceIds": list(ids)}, headers=auth)
    if r.status_code == 200:
        return len(r.json()["changed"])
    gate = asyncio.Semaphore(CONCURRENCY)
    answered = 0

    async def check(rid: int) -> None:
        nonlocal answered
        async with gate:
            r = await api.post(f"/api/resources/{rid}/check", headers=auth)
            answered += r.status_code == 200

    await asyncio.gather(*(check(rid) for rid in ids))
    return answered


def _num(value: object) -> float:
    return float(value) if isinstance(value, int | float) else math.nan
