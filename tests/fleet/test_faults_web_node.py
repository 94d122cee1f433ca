"""A web node killed with SIGKILL and started again on its port: a live-stream client that reconnects as
EventSource does (after the stream's ``retry``) sees the state recorded while the node was away; and a result a
worker records reaches the web node's API within a few seconds (the 2-second figure is the benchmark's)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import psycopg
from sqlalchemy import select

from kairos.db.models import ResourceState
from kairos.fleet import channels
from kairos.fleet.listen import conninfo_of
from tests.fleet.procs import Fleet, Sessions, Target, add_http, admin_key, until, until_up

INTERVAL_S = 5


@dataclass
class StreamClient:
    """``GET /api/resources/stream`` read as a browser's EventSource would: reconnecting after ``retry`` ms
    whenever the stream breaks; every ``status`` update is kept with its arrival time and connection number."""

    url: str
    connects: int = 0
    retry_s: float = 3.0
    updates: list[tuple[float, int, dict[str, Any]]] = field(default_factory=list)

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=30)) as client:
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    async with client.stream("GET", f"{self.url}/api/resources/stream") as response:
                        if response.status_code == 200:
                            self.connects += 1
                            await self._read(response)
                await asyncio.sleep(self.retry_s)

    async def _read(self, response: httpx.Response) -> None:
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("retry:"):
                self.retry_s = int(line.split(":", 1)[1]) / 1000
            elif line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "status":
                now = time.time()
                self.updates.extend((now, self.connects, u) for u in json.loads(line.split(":", 1)[1]))

    def seen(self, rid: int, status: str, connection: int) -> bool:
        return any(c == connection and u["resourceId"] == rid and u["status"] == status for _, c, u in self.updates)


@contextlib.asynccontextmanager
async def streaming(url: str) -> AsyncIterator[StreamClient]:
    client = StreamClient(url)
    task = asyncio.create_task(client.run())
    try:
        yield client
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def verdict(sessions: Sessions, rid: int) -> str | None:
    async with sessions() as s:
        return await s.scalar(select(ResourceState.status).where(ResourceState.resource_id == rid))


async def test_a_killed_web_nodes_stream_clients_reconnect_and_see_the_state_recorded_meanwhile(
    pg_sessions: Sessions, fleet: Fleet, target: Target
) -> None:
    (rid,) = await add_http(pg_sessions, target, 1, interval_s=INTERVAL_S)
    web, worker = fleet.web("web"), fleet.worker("eu", "eu-1")
    await until_up(fleet, web, worker)
    async with streaming(web.url) as stream:
        await until(fleet, lambda: stream.seen(rid, "available", 1), 20, "the first result on the stream")

        web.kill()
        await target.fail_for("/eu/")  # what happens while the node is away
        await until(fleet, lambda: _is(pg_sessions, rid, "NOT_AVAILABLE"), 20, "the worker recording the failure")

        web = fleet.restart(web)
        await until_up(fleet, web)
        await until(fleet, lambda: stream.connects >= 2, 15, "the stream client reconnecting")
        await until(fleet, lambda: stream.seen(rid, "not-available", 2), 20, "the current state on the new stream")
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as client:
        board = (await client.get("/api/resources/status-updates")).json()
    assert [(u["resourceId"], u["currentStatus"]) for u in board] == [(rid, "not-available")]


async def test_a_result_recorded_by_a_worker_reaches_the_web_nodes_api_within_seconds(
    pg_url: str, pg_sessions: Sessions, fleet: Fleet, target: Target
) -> None:
    (rid,) = await add_http(pg_sessions, target, 1, interval_s=INTERVAL_S)
    key = await admin_key(pg_sessions)
    web, worker = fleet.web("web"), fleet.worker("eu", "eu-1")
    await until_up(fleet, web, worker)
    delays: list[float] = []
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        httpx.AsyncClient(base_url=web.url, headers=headers, timeout=10) as api,
        await psycopg.AsyncConnection.connect(conninfo_of(pg_url), autocommit=True) as conn,
    ):
        await conn.execute(f"LISTEN {channels.RESULTS}")
        for _ in range(3):  # three recorded flushes: when the worker's transaction commits, PostgreSQL notifies
            seen_before = await _latest(api, rid)
            notes = [n async for n in conn.notifies(timeout=INTERVAL_S + 10, stop_after=1)]
            recorded_at = time.monotonic()
            assert notes and rid in channels.parse_ids(notes[0].payload), fleet.logs()
            shown = functools.partial(_newer, api, rid, seen_before)
            await until(fleet, shown, 10, "the result on the web node's API", every=0.02)
            delays.append(time.monotonic() - recorded_at)
    print(f"recorded -> web node API: {', '.join(f'{d:.2f}' for d in delays)} s")
    assert max(delays) < 5.0, delays  # a generous bound: the figure (2 s) is measured by bench/fleet.py


async def _is(sessions: Sessions, rid: int, status: str) -> bool:
    return await verdict(sessions, rid) == status


async def _latest(api: httpx.AsyncClient, rid: int) -> datetime | None:
    at = (await api.get(f"/api/resources/{rid}")).json().get("latestCheckedAt")
    return None if at is None else datetime.fromisoformat(at.replace("Z", "+00:00"))


async def _newer(api: httpx.AsyncClient, rid: int, before: datetime | None) -> bool:
    at = await _latest(api, rid)
    return at is not None and (before is None or at > before)
