#!/usr/bin/env python3
"""One resource's raw history among many: how fast the history API, the detail page and the 24-hour latency
chart read it from compact blocks (plus a journal of the open bucket).

Seeds N HTTP resources checked every 60 s for D days as closed blocks (1 % failures), plus one flush journal
entry per 2 s of the current bucket, then times (median of 20): the newest page of 100, a page 5 days back
(cursor), a status-filtered page (NOT_AVAILABLE only, sparse), and the 24-hour latency chart. Asserts nothing.

    .venv/bin/python bench/history.py [--resources 1000] [--days 7] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select

from bench.storage import result
from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import Resource
from kairos.history.codec import BlockBuilder
from kairos.history.writer import Writer, blocks_of
from kairos.rollups.latency import latency_samples
from kairos.services.history import HistoryFilter, page


async def seed(sm: Any, dialect: str, n: int, days: int, now: datetime) -> list[int]:
    rng = random.Random(5)
    async with sm() as s:
        rows = [{"name": f"h{i}", "kind": "HTTP", "target": "http://x/", "config": {}} for i in range(n)]
        await s.execute(insert(Resource), rows)
        await s.commit()
        ids = list((await s.execute(select(Resource.id).order_by(Resource.id))).scalars())
    writer = Writer(dialect)
    open_from = now.replace(minute=now.minute // 15 * 15, second=0, microsecond=0)
    for day in range(days, -1, -1):
        start = max(now - timedelta(days=day + 1), now - timedelta(days=days))
        end = min(now - timedelta(days=day), open_from)
        if end <= start:
            continue
        async with sm() as s:
            for rid in ids:
                times = [
                    start + timedelta(seconds=60 * k + rid % 60)
                    for k in range(int((end - start).total_seconds() // 60))
                ]
                await writer.write_blocks(s, blocks_of(rid, [result(t, rng) for t in times if t < end]))
            await s.commit()
    async with sm() as s:  # the open bucket: one journal entry per 2 s flush
        t = open_from
        while t < now:
            entries = []
            for rid in ids:
                if int(t.timestamp()) % 60 == rid % 60 // 2 * 2:
                    b = BlockBuilder()
                    b.add(int(t.timestamp() * 1000), result(t, rng))
                    entries.append((rid, b))
            await writer.append_journal(s, entries, t)
            t += timedelta(seconds=2)
        await s.commit()
    return ids


async def timed(fn: Callable[[], Awaitable[object]], runs: int = 20) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


async def run(url: str, n: int, days: int) -> None:
    upgrade_to_head(url)
    engine = make_engine(url)
    sm = make_sessionmaker(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    t0 = time.perf_counter()
    ids = await seed(sm, engine.dialect.name, n, days, now)
    print(f"{n} resources x {days} days at 60 s seeded in {time.perf_counter() - t0:.0f} s ({engine.dialect.name})")
    rid = ids[len(ids) // 2]
    back = (now - timedelta(days=min(5, days - 1))).isoformat()
    async with sm() as s:
        cases: dict[str, Callable[[], Awaitable[object]]] = {
            "newest 100": lambda: page(s, rid, HistoryFilter(limit=100)),
            "100 from 5 days back": lambda: page(s, rid, HistoryFilter(limit=100, before=back)),
            "NOT_AVAILABLE only, 100": lambda: page(s, rid, HistoryFilter(limit=100, status="NOT_AVAILABLE")),
            "24-hour latency chart": lambda: latency_samples(s, rid, 24, now.timestamp()),
        }
        for name, fn in cases.items():
            print(f"  {name:28s} {await timed(fn):7.1f} ms")
    await engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=1000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--db", default=None)
    ap.add_argument("--keep", default=None, help=argparse.SUPPRESS)  # a SQLite URL to keep for profiling
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kairos-history-", dir="/var/tmp")
    try:
        asyncio.run(run(args.db or args.keep or f"sqlite+aiosqlite:///{tmp}/history.db", args.resources, args.days))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
