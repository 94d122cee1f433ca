#!/usr/bin/env python3
"""The engine under load: N HTTP resources on a 60 s interval against a fast local target.

Prints checks per second, scheduling lag (start - due) p50/p95/p99, CPU milliseconds per check, peak RSS,
bytes written to disk per check, and the time until every resource has had its first check. Asserts nothing.

    .venv/bin/python bench/engine.py [--resources 2000] [--interval 60] [--duration 120] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert

from kairos.app import build_runtime
from kairos.db.engine import sync_url
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import Resource, ResourceTypeSettings
from kairos.settings import Settings

HERE = Path(__file__).resolve().parent


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def disk_writes() -> int:
    """Bytes this process caused to be written to storage (0 where the kernel does not account it)."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def seed(url: str, n: int, port: int, interval: int, parallelism: int) -> None:
    upgrade_to_head(url)
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(
            insert(Resource),
            [
                {
                    "name": f"svc-{i}",
                    "kind": "HTTP",
                    "target": f"http://127.0.0.1:{port}/r/{i}",
                    "config": {},
                    "interval_s": interval,
                }
                for i in range(n)
            ],
        )
        conn.execute(
            insert(ResourceTypeSettings),
            [
                {
                    "kind": "HTTP",
                    "interval_s": interval,
                    "parallelism": parallelism,
                    "timeout_s": 10.0,
                    "outage_threshold": 3,
                    "recovery_threshold": 2,
                }
            ],
        )
    engine.dispose()


async def run(args: argparse.Namespace, url: str, data_dir: Path) -> None:
    settings = Settings(database_url=url, data_dir=data_dir, secret_key="bench")
    rt = build_runtime(settings)
    sched = rt.scheduler
    sched.record_lags = True
    t_start = time.perf_counter()
    await rt.credentials.reload()
    await sched.start()
    while sum(1 for s in rt.board.states.values() if s.last_checked_at is not None) < args.resources:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    first_pass = time.perf_counter() - t_start
    gc.freeze()  # as the application's lifespan does after start-up
    print(f"first check of all {args.resources} resources: {first_pass:.2f} s after start")
    await sched.flush_results()
    sched.lags.clear()
    written0, cpu0, disk0, t0 = sched.recorder.written, cpu_seconds(), disk_writes(), time.perf_counter()
    checks0 = _checks(sched)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    await asyncio.sleep(args.duration)
    await sched.flush_results()
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    elapsed = time.perf_counter() - t0
    checks = _checks(sched) - checks0
    cpu = cpu_seconds() - cpu0
    disk = disk_writes() - disk0
    lags = [x * 1000 for x in sched.lags]
    await sched.stop()
    await rt.engine.dispose()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"steady state over {elapsed:.0f} s: {checks} checks, {checks / elapsed:.1f} checks/s "
        f"(expected {args.resources / args.interval:.1f}/s), results written {sched.recorder.written - written0}"
    )
    print(
        f"scheduling lag ms: p50 {percentile(lags, 0.5):.1f}  p95 {percentile(lags, 0.95):.1f}  "
        f"p99 {percentile(lags, 0.99):.1f}  max {max(lags) if lags else float('nan'):.1f}"
    )
    print(f"CPU per check: {cpu / max(checks, 1) * 1000:.3f} ms  (process CPU {cpu / elapsed * 100:.0f} % of one core)")
    collections = [s["collections"] for s in gc.get_stats()]
    print(f"peak RSS: {peak_rss_mb:.0f} MB; garbage collections (gen0, gen1, gen2): {collections}")
    print(f"disk writes per check: {disk / max(checks, 1):.0f} bytes")


def _checks(sched: object) -> int:
    metrics = sched.metrics  # type: ignore[attr-defined]
    total = 0.0
    for family in metrics.checks.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                total += sample.value
    return int(total)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=2000)
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--duration", type=float, default=120.0, help="seconds of steady state to measure")
    ap.add_argument("--parallelism", type=int, default=5, help="HTTP checks at once (the default setting)")
    ap.add_argument("--profile", default="", help="write a cProfile of the steady state to this file")
    ap.add_argument("--db", default="", help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    target = subprocess.Popen([sys.executable, str(HERE / "target.py")], stdout=subprocess.PIPE, text=True)
    try:
        assert target.stdout is not None
        port = int(target.stdout.readline().split()[2].rsplit(":", 1)[1])
        data_dir = Path(tempfile.mkdtemp(prefix="kairos-engine-"))
        url = args.db or f"sqlite+aiosqlite:///{data_dir}/kairos.db"
        seed(url, args.resources, port, args.interval, args.parallelism)
        print(
            f"{args.resources} HTTP resources every {args.interval} s, parallelism {args.parallelism}, "
            f"database {url.split(':')[0]}, event loop {'uvloop' if _uvloop() else 'asyncio'}"
        )
        asyncio.run(run(args, url, data_dir))
    finally:
        target.terminate()
        target.wait(5)


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
