#!/usr/bin/env python3
"""The public dashboard ``/`` at scale: 1,000 resources in 10 groups with 30 days of history (rollups).

Starts a real Kairos (its own process, scheduler on, every resource checked against the local
``bench/target.py``), then measures the time to serve ``/`` over loopback (median and p95 of N runs), its
HTML size, and in headless Chromium the first paint, first contentful paint and the time until the live
EventSource is open (Performance API, median of 5 fresh page loads). Prints the figures; asserts nothing.

    .venv/bin/python bench/dashboard.py [--resources 1000] [--days 30] [--runs 30] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import create_engine, insert, text

from bench.queries import seed as seed_history
from kairos.db.engine import sync_url
from kairos.db.models import GroupMember, ResourceGroup
from tests.servers.chromium import ARGS, CHROMIUM

HERE = Path(__file__).resolve().parent
GROUPS = 10
SERVER = """
import sys, uvicorn
from kairos.app import create_app
from kairos.settings import Settings
settings = Settings(database_url=sys.argv[1], data_dir=sys.argv[2], secret_key="bench", log_level="warning")
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[3]), log_level="warning", loop="auto")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(url: str, resources: int, days: int, target_port: int) -> None:
    """bench/queries.py's history, then real loopback targets and groups of 100 members each."""
    seed_history(url, resources, days, time.time())
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM resource_group_member"))
        conn.execute(text("DELETE FROM resource_group"))
        conn.execute(
            text("UPDATE resource SET interval_s = 60, target = :base || CAST(id AS VARCHAR(12))"),
            {"base": f"http://127.0.0.1:{target_port}/service/"},
        )
        conn.execute(
            insert(ResourceGroup),
            [{"id": g, "name": f"Team {g:02d}", "display_order": g} for g in range(1, GROUPS + 1)],
        )
        per = max(1, resources // GROUPS)
        conn.execute(
            insert(GroupMember),
            [
                {"group_id": min(GROUPS, (rid - 1) // per + 1), "resource_id": rid, "display_order": rid}
                for rid in range(1, resources + 1)
            ],
        )
    engine.dispose()


def wait_ready(base: str, resources: int) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            body = httpx.get(base + "/api/resources/status-updates?includeTimeline=false", timeout=10).json()
            if sum(1 for s in body if s["currentStatus"] != "unknown") >= resources:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise SystemExit("Kairos did not check every resource within 2 minutes")


def serve_times(base: str, runs: int) -> tuple[list[float], int]:
    times: list[float] = []
    size = 0
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/")  # warm-up: templates compiled, caches filled
        for _ in range(runs):
            t = time.perf_counter()
            r = client.get("/")
            times.append((time.perf_counter() - t) * 1000)
            size = len(r.content)
    return times, size


async def browser_times(base: str, loads: int) -> dict[str, list[float]]:
    from playwright.async_api import async_playwright

    out: dict[str, list[float]] = {"first-paint": [], "first-contentful-paint": [], "stream-open": [], "load": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for _ in range(loads):
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            await page.goto(base + "/")
            await page.wait_for_selector("html[data-live=open]", timeout=30_000)
            figures = await page.evaluate(
                """() => {
                  const f = {};
                  for (const e of performance.getEntriesByType('paint')) f[e.name] = e.startTime;
                  const open = performance.getEntriesByName('kairos-stream-open')[0];
                  f['stream-open'] = open ? open.startTime : NaN;
                  const nav = performance.getEntriesByType('navigation')[0];
                  f['load'] = nav ? nav.loadEventEnd : NaN;
                  return f;
                }"""
            )
            for key in out:
                out[key].append(float(figures.get(key, float("nan"))))
            await context.close()
        await browser.close()
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=1000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--runs", type=int, default=30, help="server renders of / to time")
    ap.add_argument("--loads", type=int, default=5, help="page loads in Chromium")
    ap.add_argument("--db", default="", help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="kairos-dashboard-"))
    url = args.db or f"sqlite+aiosqlite:///{data_dir}/kairos.db"
    target = subprocess.Popen([sys.executable, str(HERE / "target.py")], stdout=subprocess.PIPE, text=True)
    server = None
    try:
        assert target.stdout is not None
        target_port = int(target.stdout.readline().split()[2].rsplit(":", 1)[1])
        t = time.perf_counter()
        seed(url, args.resources, args.days, target_port)
        print(f"{args.resources} resources in {GROUPS} groups, {args.days} days of rollups, database "
              f"{url.split(':')[0]}; seeded in {time.perf_counter() - t:.0f} s")  # fmt: skip
        port = free_port()
        server = subprocess.Popen([sys.executable, "-c", SERVER, url, str(data_dir), str(port)])
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, args.resources)
        times, size = serve_times(base, args.runs)
        print(
            f"server: GET / median {statistics.median(times):.0f} ms, p95 {p95(times):.0f} ms "
            f"({args.runs} runs); HTML {size / 1024:.0f} KB"
        )
        figures = asyncio.run(browser_times(base, args.loads))
        print(
            "chromium (median of {}): first paint {:.0f} ms, first contentful paint {:.0f} ms, "
            "load event {:.0f} ms, EventSource open {:.0f} ms".format(
                args.loads,
                *(
                    statistics.median(figures[k])
                    for k in ("first-paint", "first-contentful-paint", "load", "stream-open")
                ),
            )
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(20)
        target.terminate()
        target.wait(5)


if __name__ == "__main__":
    main()
