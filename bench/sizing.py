#!/usr/bin/env python3
"""How much disk does history take? Bytes per stored check, per resource per day, and per outage.

Seeds N HTTP resources checked every 60 s for D days as the recorder stores them (an HTTP check's message and
details, 1 % failures): closed 15-minute blocks with their 15-minute and daily rollups, written by
kairos.history.writer, and one outage per resource per day. Then it measures, per table with its indexes: on
SQLite with ``dbstat`` after a checkpoint and VACUUM, on PostgreSQL with pg_total_relation_size after VACUUM
ANALYZE. Then it deletes half of the raw history with the housekeeping job while a recorder keeps writing, and
reports the writer's worst stall. Asserts nothing.

    .venv/bin/python bench/sizing.py [--resources 50] [--days 7] [--db sqlite|postgres|both|URL]

PostgreSQL: KAIROS_BENCH_DATABASE_URL, or a throwaway cluster started with tests/servers/pg_start.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Engine, make_url

from kairos.db.engine import make_engine, make_sessionmaker, sync_url
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import Outage, Resource
from kairos.history.codec import BlockBuilder
from kairos.history.writer import BlockKey, Writer, blocks_of
from kairos.probes.base import Phases, ProbeResult, Status
from kairos.scheduler.housekeeping import BATCH_ROWS, Housekeeper
from kairos.scheduler.recorder import Record, Recorder, state_row
from kairos.scheduler.state import RuntimeState, Transition
from kairos.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("result_block", "result_journal", "rollup_15m", "rollup_1d", "outage")
INTERVAL_S = 60


def check(rid: int, at: datetime, rng: random.Random) -> ProbeResult:
    if rng.random() < 0.01:
        msg = f"connection refused to service-{rid}.example.com:443"
        return ProbeResult(Status.NOT_AVAILABLE, msg, "connect_refused", Phases(dns_ms=1.5, total_ms=3.2), None, {}, at)
    total = rng.uniform(20, 400)
    phases = Phases(dns_ms=rng.uniform(0.5, 5), connect_ms=rng.uniform(1, 20), tls_ms=rng.uniform(5, 40))
    phases.ttfb_ms, phases.total_ms = total * 0.8, total
    details = {"final_url": f"https://service-{rid}.example.com/health", "redirects": 0}
    return ProbeResult(Status.AVAILABLE, f"HTTP 200 OK in {total:.0f} ms", None, phases, 200, details, at)


def day_of_history(rid: int, day_start: datetime, rng: random.Random) -> list[ProbeResult]:
    phase = timedelta(seconds=rid % INTERVAL_S)
    return [check(rid, day_start + phase + timedelta(seconds=k * INTERVAL_S), rng) for k in range(86_400 // INTERVAL_S)]


def seed(url: str, resources: int, days: int, end: datetime) -> None:
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(
            insert(Resource),
            [
                {"id": i, "name": f"r{i}", "kind": "HTTP", "target": f"https://service-{i}.example.com/health"}
                | {"config": {}, "enabled": False}
                for i in range(1, resources + 1)
            ],
        )
    engine.dispose()
    asyncio.run(seed_history(url, resources, days, end))


async def seed_history(url: str, resources: int, days: int, end: datetime) -> None:
    rng = random.Random(7)
    start = end - timedelta(days=days)
    engine = make_engine(url)
    writer = Writer(engine.dialect.name)
    sm = make_sessionmaker(engine)
    for d in range(days):
        day = start + timedelta(days=d)
        blocks: dict[BlockKey, BlockBuilder] = {}
        for rid in range(1, resources + 1):
            blocks |= blocks_of(rid, day_of_history(rid, day, rng))
        # One transaction per simulated day keeps memory flat; the writer appends in (bucket, resource) order,
        # as the recorder's closes do.
        async with sm() as session, session.begin():
            await writer.write_blocks(session, blocks)
            outage = {"error_code": "connect_refused", "message": "connection refused to service.example.com:443"}
            await session.execute(
                insert(Outage),
                [
                    {"resource_id": rid, "started_at": day, "ended_at": day + timedelta(minutes=5)} | outage
                    for rid in range(1, resources + 1)
                ],
            )
    await engine.dispose()


def table_bytes(engine: Engine) -> dict[str, tuple[int, int]]:
    """Bytes per table, its indexes included, and how many of them are indexes."""
    out: dict[str, tuple[int, int]] = {}
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")
            pages = conn.execute(
                text(
                    "SELECT m.tbl_name, m.type, SUM(s.pgsize) FROM dbstat s"
                    " JOIN sqlite_master m ON m.name = s.name GROUP BY s.name"
                )
            ).all()
        for table, kind, size in pages:
            total, indexes = out.get(table, (0, 0))
            out[table] = (total + int(size), indexes + (int(size) if kind == "index" else 0))
        return out
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
        for t in TABLES:
            total, indexes = conn.execute(text(f"SELECT pg_total_relation_size('{t}'), pg_indexes_size('{t}')")).one()
            out[t] = (int(total), int(indexes))
    return out


def file_bytes(url: str) -> int | None:
    path = make_url(url).database
    return os.path.getsize(path) if path and os.path.exists(path) else None


@dataclass
class Stall:
    deleted: int
    prune_s: float
    batches: int
    writes: int
    worst_write_ms: float
    median_write_ms: float
    optimize_s: float
    worst_write_during_optimize_ms: float


async def prune_beside_recorder(url: str, resources: int, end: datetime, days: int, batch_rows: int) -> Stall:
    """Delete the older half of the raw history while a recorder writes one result per resource per second
    (a load far above 60 s checks: every write is a chance to be stalled)."""
    engine = make_engine(url)
    sm = make_sessionmaker(engine)
    settings = Settings(database_url=url, retention_days=max(1, days // 2))
    keeper = Housekeeper(sm, settings, engine.dialect.name, batch_rows=batch_rows)
    recorder = Recorder(sm, engine.dialect.name)
    rng = random.Random(3)
    times: list[float] = []

    async def write_until(task: asyncio.Task[Any]) -> list[float]:
        seen: list[float] = []
        while not task.done():
            now = datetime.now(UTC)
            for rid in range(1, resources + 1):
                r = check(rid, now, rng)
                state = RuntimeState(status=r.status, last=r)
                recorder.add(Record(rid, r, state_row(rid, state), Transition()))
            t = time.perf_counter()
            await recorder.flush()
            seen.append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(0.05)
        return seen

    t0 = time.perf_counter()
    prune = asyncio.create_task(keeper.prune_results(end))
    times = await write_until(prune)
    deleted, prune_s = prune.result(), time.perf_counter() - t0
    t1 = time.perf_counter()
    upkeep = asyncio.create_task(keeper.optimize())
    during = await write_until(upkeep)
    optimize_s = time.perf_counter() - t1
    await engine.dispose()
    times.sort()
    return Stall(
        deleted,
        prune_s,
        keeper.batches,
        len(times),
        times[-1] if times else 0.0,
        times[len(times) // 2] if times else 0.0,
        optimize_s,
        max(during, default=0.0),
    )


def report(label: str, url: str, resources: int, days: int, batch_rows: int = BATCH_ROWS) -> None:
    # Whole UTC days, so each simulated day fills its own rollup buckets exactly once.
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    upgrade_to_head(url)
    t = time.perf_counter()
    seed(url, resources, days, end)
    seeded = time.perf_counter() - t
    engine = create_engine(sync_url(url))
    sizes = table_bytes(engine)
    engine.dispose()
    checks = resources * days * 86_400 // INTERVAL_S
    resource_days = resources * days
    size = {t: sizes.get(t, (0, 0))[0] for t in TABLES}
    raw, rollups = size["result_block"] + size["result_journal"], size["rollup_15m"] + size["rollup_1d"]
    print(f"\n{label}: {resources} resources x {days} days at {INTERVAL_S} s = {checks:,} checks", end="")
    print(f" (seeded in {seeded:.0f} s)")
    for table in TABLES:
        total, indexes = sizes.get(table, (0, 0))
        print(f"  {table:<14} {total / 1e6:9.1f} MB, of which indexes {indexes / 1e6:7.1f} MB")
    whole = file_bytes(url)
    if whole is not None:
        print(f"  database file  {whole / 1e6:9.1f} MB (after VACUUM)")
    print(f"  bytes per stored check (block + index)   {raw / checks:8.2f}")
    print(f"  raw bytes per resource per day           {raw / resource_days:8.0f}")
    print(f"  rollup bytes per resource per day        {rollups / resource_days:8.0f}")
    print(f"  raw + rollups per resource per day       {(raw + rollups) / resource_days:8.0f}")
    print(f"  bytes per outage row                     {size['outage'] / resource_days:8.0f}")
    s = asyncio.run(prune_beside_recorder(url, resources, end, days, batch_rows))
    print(
        f"  prune of {s.deleted:,} results: {s.prune_s:.1f} s in {s.batches} batches; recorder wrote {s.writes} "
        f"batches of {resources} meanwhile, median {s.median_write_ms:.0f} ms, worst {s.worst_write_ms:.0f} ms"
    )
    print(
        f"  upkeep (optimize + checkpoint) {s.optimize_s * 1000:.0f} ms, "
        f"worst write during it {s.worst_write_during_optimize_ms:.0f} ms"
    )


def throwaway_postgres() -> tuple[str, list[str]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    d = tempfile.mkdtemp(prefix="kairos-sizing-pg-")  # its own directory: the postgres user must reach it
    url = subprocess.check_output(["sh", str(ROOT / "tests/servers/pg_start.sh"), d, str(port)], text=True).strip()
    bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    stop = ["runuser", "-u", "postgres", "--", str(bin_dir / "pg_ctl"), "-D", f"{d}/data", "-m", "immediate", "stop"]
    return url, stop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=50)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--db", default="both", help="sqlite, postgres, both, or a SQLAlchemy URL")
    ap.add_argument("--batch-rows", type=int, default=BATCH_ROWS, help="blocks per delete transaction")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kairos-sizing-")
    if args.db in ("sqlite", "both"):
        report("SQLite", f"sqlite+aiosqlite:///{tmp}/sizing.db", args.resources, args.days, args.batch_rows)
    if args.db in ("postgres", "both"):
        url, stop = os.environ.get("KAIROS_BENCH_DATABASE_URL", ""), None
        if not url:
            url, stop = throwaway_postgres()
        try:
            report("PostgreSQL", url, args.resources, args.days, args.batch_rows)
        finally:
            if stop:
                subprocess.run(stop, check=False, capture_output=True)
                shutil.rmtree(Path(stop[-4]).parent, ignore_errors=True)
    if args.db not in ("sqlite", "postgres", "both"):
        report(args.db.split("://")[0], args.db, args.resources, args.days, args.batch_rows)


if __name__ == "__main__":
    main()
