#!/usr/bin/env python3
"""What storing results writes to disk, per check: the recorder alone, driven on a simulated clock.

Feeds the real Recorder N resources' HTTP results at one interval, flushing every flush interval of simulated
time, for a simulated window that spans bucket closes (default 60 minutes: four closes), and prints the bytes
written per check: on SQLite this process's ``write_bytes`` (the writer thread, WAL and checkpoints run here),
on PostgreSQL ``pg_stat_wal.wal_bytes`` (use a throwaway cluster with the default settings). Seconds of real
time for an hour of simulated traffic, so SQLite settings can be compared by measurement: each ``--pragma``
(repeatable) is applied to every connection after Kairos' own, e.g. ``--pragma wal_autocheckpoint=4000``.
Asserts nothing.

    .venv/bin/python bench/storage.py [--resources 1000] [--interval 20] [--minutes 60] [--db URL] [--pragma P=V]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, insert, select, text

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import Resource, ResultBlock
from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from kairos.scheduler.recorder import Record, Recorder, state_row
from kairos.scheduler.state import RuntimeState, apply_result

START = datetime(2026, 12, 1, 0, 1, 30, tzinfo=UTC)  # a close every 15 minutes of any hour-long window


def write_bytes() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def result(at: datetime, rng: random.Random) -> ProbeResult:
    total = rng.uniform(0.8, 2.5)
    failing = rng.random() < 0.01
    return ProbeResult(
        Status.NOT_AVAILABLE if failing else Status.AVAILABLE,
        "HTTP 503 Service Unavailable" if failing else "HTTP 200 OK",
        "http_status" if failing else None,
        Phases(0.05, 0.2, None, total * 0.8, total),
        503 if failing else 200,
        {"finalUrl": "http://127.0.0.1:8080/r"},
        at,
    )


async def wal_bytes(session: Any) -> int:
    return int((await session.execute(text("SELECT wal_bytes FROM pg_stat_wal"))).scalar_one())


def precreate(path: str, pragmas: list[str]) -> None:
    """A page size only takes effect on an empty database: create the file with it before the migrations."""
    sizes = [p for p in pragmas if p.replace(" ", "").startswith("page_size=")]
    if sizes:
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA {sizes[-1]}")
        conn.execute("CREATE TABLE _first (x)")  # the first write fixes the page size
        conn.execute("DROP TABLE _first")
        conn.close()


async def run(url: str, n: int, interval: int, minutes: int, flush_s: float, pragmas: list[str]) -> None:
    upgrade_to_head(url)
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    if pragmas and not postgres:

        @event.listens_for(engine.sync_engine, "connect")
        def _apply(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            for p in pragmas:
                cur.execute(f"PRAGMA {p}")
            cur.close()

    sm = make_sessionmaker(engine)
    async with sm() as s:
        await s.execute(
            insert(Resource), [{"name": f"s{i}", "kind": "HTTP", "target": "http://x/", "config": {}} for i in range(n)]
        )
        await s.commit()
        ids = list((await s.execute(select(Resource.id).order_by(Resource.id))).scalars())
    now = [START.timestamp()]
    recorder = Recorder(sm, engine.dialect.name, clock=lambda: now[0])
    states = {rid: RuntimeState() for rid in ids}
    rng = random.Random(17)
    phase = {rid: rng.random() * interval for rid in ids}
    due = sorted((START.timestamp() + phase[rid], rid) for rid in ids)
    checks, t_end = 0, START.timestamp() + minutes * 60
    async with sm() as s:
        wal0 = await wal_bytes(s) if postgres else 0
    bytes0, cpu0, wall0 = write_bytes(), time.process_time(), time.perf_counter()
    tick = START.timestamp()
    while tick < t_end:
        tick += flush_s
        while due and due[0][0] <= tick:
            at, rid = due.pop(0)
            r = result(datetime.fromtimestamp(at, UTC), rng)
            state = states[rid]
            tr = apply_result(state, r, outage_threshold=3, recovery_threshold=2)
            changed = bool(tr.opened_at or tr.closed_at)  # as the scheduler decides (digests aside)
            recorder.add(Record(rid, r, state_row(rid, state), tr, changed=changed))
            due.append((at + interval, rid))
            checks += 1
        due.sort()
        now[0] = tick
        await recorder.flush()
    async with sm() as s:
        wal = await wal_bytes(s) - wal0 if postgres else 0
        blocks = (await s.execute(select(func.count()).select_from(ResultBlock))).scalar_one()
    written = write_bytes() - bytes0
    print(f"{n} resources every {interval} s, {minutes} simulated minutes ({blocks} blocks), {checks} checks")
    print(f"  settings: {', '.join(pragmas) if pragmas else 'Kairos defaults'}")
    if postgres:
        print(f"  WAL bytes per check: {wal / checks:,.0f}")
    else:
        print(f"  bytes written per check: {written / checks:,.0f} (write_bytes, WAL and checkpoints included)")
    print(f"  CPU per check spent storing: {(time.process_time() - cpu0) / checks * 1000:.3f} ms "
          f"({time.perf_counter() - wall0:.1f} s real)")  # fmt: skip
    await engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=1000)
    ap.add_argument("--interval", type=int, default=20)
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--flush", type=float, default=2.0, help="flush interval in seconds (KAIROS_FLUSH_INTERVAL_S)")
    ap.add_argument("--db", default=None, help="SQLAlchemy URL (default: a fresh SQLite file on disk)")
    ap.add_argument("--pragma", action="append", default=[], help="SQLite PRAGMA to add, e.g. page_size=8192")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kairos-storage-", dir="/var/tmp")  # a real disk: tmpfs counts no write_bytes
    try:
        url = args.db or f"sqlite+aiosqlite:///{tmp}/storage.db"
        if args.db is None:
            precreate(f"{tmp}/storage.db", args.pragma)
        asyncio.run(run(url, args.resources, args.interval, args.minutes, args.flush, args.pragma))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        os.sync()


if __name__ == "__main__":
    main()
