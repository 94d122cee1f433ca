#!/usr/bin/env python3
"""How long do uptime (24 h / 7 d / 30 d) and the 96-block timeline take for every resource at once?

Seeds N resources (default 1,000) checked every 60 s with 1 and with 30 days of history as rollups plus
a raw tail of the last hour (a journal entry, as the recorder's flushes leave it), then times the readers the
dashboard uses. Prints the figures; asserts nothing.

    .venv/bin/python bench/queries.py [--resources 1000] [--db sqlite|URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text

from kairos.db.engine import make_engine, make_sessionmaker, sync_url
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import Resource, ResultJournal, Rollup1d, Rollup15m
from kairos.history.codec import BlockBuilder, encode_many, ms_of
from kairos.probes.base import Phases, ProbeResult, Status
from kairos.rollups.buckets import FIFTEEN_MIN, ONE_DAY, bucket_of
from kairos.rollups.live import LiveUptime
from kairos.rollups.live_timeline import LiveTimeline
from kairos.rollups.timeline import timelines

CHECKS_PER_15M = 15  # a 60-second interval


def rollup_row(rid: int, bucket: int, n: int, rng: random.Random) -> dict[str, object]:
    down = 1 if rng.random() < 0.01 else 0
    lat = rng.uniform(20, 80)
    return {
        "resource_id": rid,
        "bucket": bucket,
        "available": n - down,
        "not_available": down,
        "unknown": 0,
        "latency_count": n,
        "latency_sum": lat * n,
        "latency_min": lat * 0.8,
        "latency_max": lat * 1.5,
        "dns_count": n,
        "dns_sum": 1.0 * n,
        "connect_count": n,
        "connect_sum": 2.0 * n,
        "tls_count": n,
        "tls_sum": 5.0 * n,
    }


def seed(url: str, resources: int, days: int, now: float) -> None:
    upgrade_to_head(url)
    engine = create_engine(sync_url(url))
    rng = random.Random(7)
    end15 = bucket_of(now, FIFTEEN_MIN)
    with engine.begin() as conn:
        for table in ("result_block", "result_journal", "rollup_15m", "rollup_1d", "resource"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(
            insert(Resource),
            [
                {"id": i, "name": f"r{i}", "kind": "HTTP", "target": f"http://h{i}/", "config": {}}
                for i in range(1, resources + 1)
            ],
        )
        for rid in range(1, resources + 1):
            rows15 = [rollup_row(rid, end15 - k * FIFTEEN_MIN, CHECKS_PER_15M, rng) for k in range(days * 96)]
            conn.execute(insert(Rollup15m), rows15)
            per_day: dict[int, dict[str, object]] = {}
            for r in rows15:
                d = per_day.setdefault(
                    bucket_of(int(r["bucket"]), ONE_DAY),  # type: ignore[call-overload]
                    {**r, "available": 0, "not_available": 0},
                )
                d["bucket"] = bucket_of(int(r["bucket"]), ONE_DAY)  # type: ignore[call-overload]
                d["available"] = int(d["available"]) + int(r["available"])  # type: ignore[call-overload]
                d["not_available"] = int(d["not_available"]) + int(r["not_available"])  # type: ignore[call-overload]
            conn.execute(insert(Rollup1d), list(per_day.values()))
        tail = [(rid, raw_tail(now)) for rid in range(1, resources + 1)]
        conn.execute(
            insert(ResultJournal), [{"written_at": datetime.fromtimestamp(now, UTC), "payload": encode_many(tail)}]
        )
    engine.dispose()


def raw_tail(now: float) -> BlockBuilder:
    """The last hour of one resource's results, oldest first."""
    tail = BlockBuilder()
    for k in reversed(range(60)):
        at = datetime.fromtimestamp(now - k * 60, UTC)
        tail.add(ms_of(at), ProbeResult(Status.AVAILABLE, "HTTP 200 OK", None, Phases(total_ms=30.0), 200, {}, at))
    return tail


async def measure(url: str, resources: int, now: float, repeat: int) -> tuple[float, ...]:
    """Median milliseconds: seeding the live uptime windows and 24-hour timelines (once per start),
    reading every resource's uptime and 96-block timeline from them, and the same timeline from SQL."""
    engine = make_engine(url)
    sm = make_sessionmaker(engine)
    ids = list(range(1, resources + 1))
    times: list[list[float]] = [[], [], [], []]
    for _ in range(repeat):
        live, live_tl = LiveUptime(), LiveTimeline()
        async with sm() as s:
            t0 = time.perf_counter()
            await live.load(s, now)
            await live_tl.load(s, now)
            t1 = time.perf_counter()
            up = live.many(ids)
            t2 = time.perf_counter()
            tl = [live_tl.compact(rid, now) for rid in ids]
            t3 = time.perf_counter()
            sql_tl = await timelines(s, ids, 24, now)
            t4 = time.perf_counter()
        assert len(up) == resources and len(tl) == resources and up[1]["d30"] is not None
        # tl is a list in id order (resource 1 first), sql_tl a dict by id: compare resource 1 with itself.
        assert list(tl[0][0]) == [b.status[0].upper() if b.has_data else "-" for b in sql_tl[1]]
        for i, dt in enumerate((t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            times[i].append(dt)
    await engine.dispose()
    return tuple(statistics.median(t) * 1000 for t in times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=1000)
    ap.add_argument("--db", default="sqlite", help="sqlite (a temp file) or a SQLAlchemy URL")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kairos-bench-")
    url = f"sqlite+aiosqlite:///{tmp}/bench.db" if args.db == "sqlite" else args.db
    now = time.time()
    print(f"database: {url.split('://')[0]}, resources: {args.resources}")
    for days in (1, 30):
        t = time.perf_counter()
        seed(url, args.resources, days, now)
        seeded = time.perf_counter() - t
        load_ms, up_ms, tl_ms, sql_ms = asyncio.run(measure(url, args.resources, now, args.repeat))
        print(
            f"history {days:2d} d: uptime 24h/7d/30d {up_ms:6.1f} ms + 96-block timeline {tl_ms:6.1f} ms "
            f"= {up_ms + tl_ms:6.1f} ms per dashboard read | start-up seeding {load_ms:6.1f} ms | "
            f"same timeline from SQL {sql_ms:6.1f} ms | history seeded in {seeded:.1f} s"
        )


if __name__ == "__main__":
    main()
