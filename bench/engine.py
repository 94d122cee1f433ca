#!/usr/bin/env python3
"""The engine under load: N HTTP resources on one interval against a fast local target.

Runs the real scheduler, probes and recorder in this process. After the first pass over every resource and a
warm-up (one interval by default), measures a steady-state window and prints: checks per second, scheduling
lag (start - due) p50/p95/p99, CPU milliseconds per check, RSS, bytes written to disk per check (this
process's ``write_bytes``: SQLite's writes and WAL checkpoints happen in this process), database growth per
stored result and, on PostgreSQL, WAL bytes per check (``pg_stat_wal``: the server writes in its own
processes). From the target's side (``bench/target.py`` records each request): the time until every resource
had its first check, the spacing of each resource's checks against the interval (p1/p50/p99) and the busiest
second against the mean rate. Asserts nothing.

    .venv/bin/python bench/engine.py [--resources 2000] [--interval 60] [--duration 300] [--db URL] [--assertions]
        [--kind HTTP|TCP|DNS|PUSH] [--tls] [--endpoint 127.0.0.1:PORT]

``--assertions`` gives every resource the JSON assertions of a typical health check (``ASSERTIONS``) and has the
target answer a small JSON document, so that the CPU per check can be compared with and without them. TCP and
DNS resources go to ``--endpoint`` (a TLS listener for ``--tls``, a DNS server answering ``DNS_NAME``), started
by the caller in its own process: ``bench/kinds.py`` does so and runs every kind in turn.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Connection, create_engine, insert, select, text

from bench import arrivals
from bench.procstat import Usage, tree_size, usage
from kairos.app import build_runtime
from kairos.db.engine import sync_url
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import Resource, ResourceTypeSettings
from kairos.db.models.push import PushHeartbeat
from kairos.scheduler.loop import Scheduler
from kairos.settings import Settings

HERE = Path(__file__).resolve().parent
PREFIX = "/r/"
DNS_NAME = "example.test"  # a DNS resource's target: an A record of the server at --endpoint
# A typical health check's assertions (--assertions): three JSON paths, a header and the response time.
ASSERTIONS = [
    {"type": "json", "path": "$.status", "op": "==", "value": "ok"},
    {"type": "json", "path": "$.checks.db.up", "op": "==", "value": True},
    {"type": "json", "path": "$.checks.db.latencyMs", "op": "<", "value": 100},
    {"type": "header", "name": "Content-Type", "op": "contains", "value": "json"},
    {"type": "latency", "maxMs": 2000},
]


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def disk_writes() -> int:
    """Bytes this process caused to be written to storage (0 where the kernel does not account it)."""
    return usage().write_bytes


def percentile(values: list[float], q: float) -> float:
    return arrivals.percentile(values, q)


def _target(kind: str, port: int, prefix: str, i: int, endpoint: str) -> str:
    if kind == "TCP":
        return endpoint or f"127.0.0.1:{port}"  # a connect (and a TLS handshake with tls), closed at once
    if kind == "DNS":
        return DNS_NAME  # asked of the resolver in the options
    if kind == "PUSH":
        return f"job-{i}"  # a note: the probe reads the resource's push_heartbeat row
    return f"http://127.0.0.1:{port}{prefix}{i}"


def seed(
    url: str,
    n: int,
    port: int,
    interval: int,
    parallelism: int,
    prefix: str = PREFIX,
    assertions: bool = False,
    kind: str = "HTTP",
    tls: bool = False,
    endpoint: str = "",
) -> None:
    """n resources of ``kind`` every interval seconds: HTTP checking http://127.0.0.1:port{prefix}{i} (with
    ASSERTIONS), TCP connecting to endpoint or the target's port (with a TLS handshake if ``tls``), DNS asking
    the server at endpoint for DNS_NAME's A record, or PUSH each with a fresh ping (AVAILABLE for a day)."""
    config = _config(kind, assertions, tls, endpoint)
    upgrade_to_head(url)
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(
            insert(Resource),
            [
                {
                    "name": f"svc-{i}",
                    "kind": kind,
                    "target": _target(kind, port, prefix, i, endpoint),
                    "config": config,
                    "interval_s": interval,
                }
                for i in range(n)
            ],
        )
        if kind == "PUSH":
            _seed_pings(conn)
        conn.execute(
            insert(ResourceTypeSettings),
            [
                {
                    "kind": kind,
                    "interval_s": interval,
                    "parallelism": parallelism,
                    "timeout_s": 10.0,
                    "outage_threshold": 3,
                    "recovery_threshold": 2,
                }
            ],
        )
    engine.dispose()


def _config(kind: str, assertions: bool, tls: bool, endpoint: str) -> dict[str, object]:
    if kind == "PUSH":
        return {"periodSeconds": 86_400}
    if kind == "TCP" and tls:
        return {"tls": True}
    if kind == "DNS":
        return {"resolver": endpoint, "recordType": "A", "expected": ["192.0.2.1"]}
    return {"assertions": ASSERTIONS} if assertions else {}


def _seed_pings(conn: Connection) -> None:
    """A token and a ping for every PUSH resource, as ``/api/push/{token}`` would have stored them."""
    now = datetime.now(UTC)
    ids = conn.execute(select(Resource.id)).scalars().all()
    rows = [
        {"resource_id": rid, "token_hash": f"{rid:064x}", "token_hint": "kp_bnch", "issued_at": now, "pings": 1}
        | {"last_ping_at": now, "last_signal": "up", "last_message": "bench"}
        for rid in ids
    ]
    conn.execute(insert(PushHeartbeat), rows)


@dataclass(frozen=True)
class Storage:
    """What the database holds and, on PostgreSQL, how much WAL the server has written (cluster-wide)."""

    size: int
    wal_bytes: int | None


def storage(url: str) -> Storage:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        files = [path, path.with_name(path.name + "-wal")]
        return Storage(sum(tree_size(p) for p in files if p.exists()), None)
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            size = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
            wal = int(conn.execute(text("SELECT wal_bytes FROM pg_stat_wal")).scalar_one())
    finally:
        engine.dispose()
    return Storage(size, wal)


async def run(args: argparse.Namespace, url: str, data_dir: Path, target_port: int) -> None:
    settings = Settings(database_url=url, data_dir=data_dir, secret_key="bench")
    rt = build_runtime(settings)
    sched = rt.scheduler
    assert isinstance(sched, Scheduler)  # the single process's (bench/fleet.py measures the fleet)
    sched.record_lags = True
    t_start = time.monotonic()
    await rt.credentials.reload()
    await sched.start()
    while sum(1 for s in rt.board.states.values() if s.last_checked_at is not None) < args.resources:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    first_pass = time.monotonic() - t_start
    gc.freeze()  # as the application's lifespan does after start-up
    print(f"first check of all {args.resources} resources: {first_pass:.2f} s after start (scheduler's view)")
    warmup = args.interval if args.warmup is None else args.warmup
    await asyncio.sleep(warmup)  # the start-up pass and its burst of writes stay out of the window
    await sched.flush_results()
    sched.lags.clear()
    written0, checks0, store0 = sched.recorder.written, _checks(sched), await asyncio.to_thread(storage, url)
    use0, t0 = usage(), time.monotonic()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    await asyncio.sleep(args.duration)
    await sched.flush_results()
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    use1, t1 = usage(), time.monotonic()
    checks = _checks(sched) - checks0
    written = sched.recorder.written - written0
    store1 = await asyncio.to_thread(storage, url)
    lags = [x * 1000 for x in sched.lags]
    records = await asyncio.to_thread(arrivals.fetch, target_port)
    await sched.stop()
    await rt.engine.dispose()
    elapsed = t1 - t0
    print(
        f"steady state over {elapsed:.0f} s after a {warmup:.0f} s warm-up: {checks} checks, "
        f"{checks / elapsed:.1f} checks/s (expected {args.resources / args.interval:.1f}/s), results written {written}"
    )
    print(
        f"scheduling lag ms: p50 {percentile(lags, 0.5):.1f}  p95 {percentile(lags, 0.95):.1f}  "
        f"p99 {percentile(lags, 0.99):.1f}  max {max(lags) if lags else math.nan:.1f}"
    )
    _print_usage(use0, use1, checks, elapsed)
    _print_storage(store0, store1, checks, written, url)
    if args.kind != "HTTP":
        return  # the target sees only HTTP requests
    print(
        f"target's view: first check of all "
        f"{arrivals.first_of_all(records, PREFIX, args.resources, t_start):.2f} s after start; "
        + arrivals.window(records, PREFIX, args.interval, t0, t1).describe()
    )


def _print_usage(use0: Usage, use1: Usage, checks: int, elapsed: float) -> None:
    cpu = use1.cpu_s - use0.cpu_s
    per = max(checks, 1)
    print(f"CPU per check: {cpu / per * 1000:.3f} ms  (process CPU {cpu / elapsed * 100:.0f} % of one core)")
    collections = [s["collections"] for s in gc.get_stats()]
    print(
        f"RSS {use1.rss_bytes / 2**20:.0f} MB at the end, peak {use1.peak_rss_bytes / 2**20:.0f} MB; "
        f"garbage collections (gen0, gen1, gen2): {collections}"
    )
    print(
        f"disk writes per check: {(use1.write_bytes - use0.write_bytes) / per:.0f} bytes "
        "(this process's write_bytes, WAL checkpoints included)"
    )


def _print_storage(store0: Storage, store1: Storage, checks: int, written: int, url: str) -> None:
    grown = store1.size - store0.size
    print(f"database grew {grown / 2**20:.1f} MB: {grown / max(written, 1):.0f} bytes per stored result")
    if store0.wal_bytes is not None and store1.wal_bytes is not None:
        wal = store1.wal_bytes - store0.wal_bytes
        print(
            f"PostgreSQL WAL per check: {wal / max(checks, 1):.0f} bytes (pg_stat_wal, whole cluster; "
            "the server writes in its own processes, not counted above)"
        )
    elif not url.startswith("sqlite"):
        print("PostgreSQL WAL per check: unknown (pg_stat_wal needs PostgreSQL 14 or later)")


def _checks(sched: Scheduler) -> int:
    total = 0.0
    for family in sched.metrics.checks.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                total += sample.value
    return int(total)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=2000)
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--duration", type=float, default=300.0, help="seconds of steady state to measure")
    ap.add_argument("--warmup", type=float, default=None, help="seconds after the first pass (default: interval)")
    ap.add_argument("--parallelism", type=int, default=5, help="HTTP checks at once (the default setting)")
    ap.add_argument("--profile", default="", help="write a cProfile of the steady state to this file")
    ap.add_argument("--db", default="", help="SQLAlchemy URL (default: a fresh SQLite file)")
    ap.add_argument("--assertions", action="store_true", help="JSON assertions on every check (a JSON target)")
    ap.add_argument(
        "--kind",
        choices=("HTTP", "TCP", "DNS", "PUSH"),
        default="HTTP",
        help="TCP: connects; DNS: one query; PUSH: one heartbeat read",
    )
    ap.add_argument("--tls", action="store_true", help="TCP: a TLS handshake after the connect (tls: true)")
    ap.add_argument("--endpoint", default="", help="TCP/DNS: 127.0.0.1:PORT of a server in another process")
    args = ap.parse_args()
    if args.kind == "DNS" and not args.endpoint:
        ap.error("--kind DNS needs --endpoint (a DNS server answering example.test; bench/kinds.py starts one)")
    # /var/tmp, not /tmp: where /tmp is a tmpfs, the kernel accounts no write_bytes.
    data_dir = Path(tempfile.mkdtemp(prefix="kairos-engine-", dir="/var/tmp"))
    env = {**os.environ, "TARGET_JSON": "1"} if args.assertions else None
    target = subprocess.Popen([sys.executable, str(HERE / "target.py")], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert target.stdout is not None
        port = int(target.stdout.readline().split()[2].rsplit(":", 1)[1])
        url = args.db or f"sqlite+aiosqlite:///{data_dir}/kairos.db"
        seed(
            url,
            args.resources,
            port,
            args.interval,
            args.parallelism,
            assertions=args.assertions,
            kind=args.kind,
            tls=args.tls,
            endpoint=args.endpoint,
        )
        with_assertions = f", {len(ASSERTIONS)} assertions each" if args.assertions and args.kind == "HTTP" else ""
        with_tls = " with TLS" if args.tls and args.kind == "TCP" else ""
        print(
            f"{args.resources} {args.kind}{with_tls} resources{with_assertions} every {args.interval} s, "
            f"parallelism {args.parallelism}, "
            f"database {url.split(':')[0]}, event loop {'uvloop' if _uvloop() else 'asyncio'}"
        )
        asyncio.run(run(args, url, data_dir, port))
    finally:
        target.terminate()
        target.wait(5)
        shutil.rmtree(data_dir, ignore_errors=True)


def _uvloop() -> bool:
    try:
        import uvloop

        uvloop.install()
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
