#!/usr/bin/env python3
"""One resync of a fleet web node at 10,000 and 100,000 resources on PostgreSQL: time, CPU and loop stall.

A web node (``role=web``, kairos.fleet.control.FleetControl) reloads the catalog and every resource's state and
per-location state every 30 s (kairos.fleet.feed.RESYNC_S) and after each reconnection. This seeds N resources
with a verdict state and one location state per location (bench/dashboard_seed.py, no rollups: a resync does
not read them), builds the web node's FleetControl on a LiveBoard as the process does (without its listener,
which a resync does not use), times ``load()`` once and ``resync()`` ``--repeat`` times: wall time, this
process's CPU (psycopg's decoding included; PostgreSQL's own CPU is not), and the longest stall of the event
loop meanwhile (a 5 ms ticker's worst lateness: what a page request or a notification waits). Prints the
figures; asserts nothing. Needs a throwaway database: it deletes every resource first.

    .venv/bin/python bench/web_resync.py --db postgresql+psycopg://postgres@127.0.0.1:PORT/postgres \\
        [--resources 10000,100000] [--locations 3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from bench.dashboard_seed import Layout, seed
from bench.procstat import usage
from kairos.db.engine import make_engine, make_sessionmaker, sync_url
from kairos.fleet.control import FleetControl
from kairos.scheduler.board import LiveBoard
from kairos.settings import Settings

TICK_S = 0.005


def seed_fleet(url: str, resources: int, locations: int) -> float:
    t = time.perf_counter()
    seed(url, Layout(resources, 100, 0, 60, 60), 0, 9, time.time())  # port 9: a web node checks nothing
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM location_state"))
        conn.execute(text("DELETE FROM fleet_location"))
        for i in range(locations):
            conn.execute(text("INSERT INTO fleet_location (name, up, changed_at) VALUES (:n, true, now())"),
                         {"n": f"loc{i}"})  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO location_state (resource_id, location, status, fail_streak, ok_streak, "
                "streak_started_at, last_checked_at, last_latency_ms, last_message, last_error_code, "
                "last_http_status) SELECT s.resource_id, l.name, s.status, s.fail_streak, s.ok_streak, "
                "s.streak_started_at, s.last_checked_at, s.last_latency_ms, s.last_message, s.last_error_code, "
                "s.last_http_status FROM resource_state s CROSS JOIN fleet_location l"
            )
        )
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - t


async def measured(step: Callable[[], Awaitable[None]]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds of this process, and the event loop's longest stall (seconds) during ``step``."""
    worst = 0.0

    async def ticker() -> None:
        nonlocal worst
        while True:
            t = time.perf_counter()
            await asyncio.sleep(TICK_S)
            worst = max(worst, time.perf_counter() - t - TICK_S)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    cpu, wall = time.process_time(), time.perf_counter()
    await step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return wall, cpu, worst


async def run(url: str, resources: int, repeat: int) -> None:
    engine = make_engine(url)
    settings = Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()), secret_key="bench", role="web")
    control = FleetControl(make_sessionmaker(engine), settings, LiveBoard())
    wall, cpu, stall = await measured(control.load)
    print(f"  load (start of a web node): {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU, "
          f"loop stalled up to {stall * 1000:.0f} ms; RSS {usage().rss_bytes / 2**20:.0f} MB")  # fmt: skip
    figures = [await measured(control.resync) for _ in range(repeat)]
    walls, cpus, stalls = zip(*figures, strict=True)
    print(f"  resync (median of {repeat}): {statistics.median(walls) * 1000:.0f} ms wall, "
          f"{statistics.median(cpus) * 1000:.0f} ms CPU, loop stalled up to {max(stalls) * 1000:.0f} ms; "
          f"every 30 s that is {statistics.median(cpus) / 30 * 100:.1f} % of a core")  # fmt: skip
    await engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="a PostgreSQL SQLAlchemy URL (a throwaway database)")
    ap.add_argument("--resources", default="10000,100000")
    ap.add_argument("--locations", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not args.db.startswith("postgresql"):
        raise SystemExit("the fleet needs PostgreSQL: pass --db postgresql+psycopg://...")
    for n in (int(x) for x in args.resources.split(",")):
        seeded = seed_fleet(args.db, n, args.locations)
        print(f"{n} resources, {args.locations} locations ({n * args.locations} location states); "
              f"seeded in {seeded:.1f} s")  # fmt: skip
        asyncio.run(run(args.db, n, args.repeat))


if __name__ == "__main__":
    main()
