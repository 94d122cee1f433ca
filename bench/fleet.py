"""The fleet under load: one PostgreSQL, workers in two locations, N HTTP resources checked in both.

Starts its own PostgreSQL cluster with production settings (fsync, full-page writes), the fast local target
(``bench/target.py``, recording each request's User-Agent: each location checks with its own) and
``kairos worker`` processes, then measures a steady-state window from the target's side and from /proc:

- checks per second achieved, against the expected 2 N / interval;
- lag: how long after its slot each check reached the target (p50 / p95 / p99);
- CPU milliseconds per check of the workers (all of them) and of PostgreSQL (every server process);
- PostgreSQL WAL bytes per check (pg_stat_wal) and bytes its processes wrote to storage per check;
- with ``--kill``: one worker killed with SIGKILL; how long until each resource is checked again from its
  location, and the longest gap between two checks of one resource from that location.

No assertion: it prints figures (docs/fleet.md keeps them). Example:
``python bench/fleet.py --resources 5000 --interval 60 --duration 120 --kill``."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.arrivals import percentile  # noqa: E402
from bench.engine import seed  # noqa: E402
from bench.procstat import usage  # noqa: E402
from kairos.db.engine import sync_url  # noqa: E402
from kairos.scheduler.slots import phase  # noqa: E402
from tests.servers.ports import free_port  # noqa: E402

PREFIX = "/f/"
Agent = str


@dataclass(frozen=True)
class Arrival:
    t: float  # epoch seconds
    path: str
    agent: Agent


def start_postgres(root: Path) -> tuple[str, Path]:
    """A cluster with the server's default durability (the test clusters turn fsync off)."""
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    data = root / "data"
    root.mkdir(parents=True, exist_ok=True)
    root.parent.chmod(0o755)  # mkdtemp's directory is private; the server runs as postgres
    shutil.chown(root, "postgres", "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_pg, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c max_connections=200"
    subprocess.run(
        [*as_pg, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "start", "-o", options],
        check=True,
        capture_output=True,
    )
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", data


def stop_postgres(data: Path) -> None:
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    subprocess.run(
        ["runuser", "-u", "postgres", "--", str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
        capture_output=True,
    )


def postgres_pids(data: Path) -> list[int]:
    """The postmaster and every process it started (backends, WAL writer, checkpointer, ...)."""
    master = int((data / "postmaster.pid").read_text().split()[0])
    out = [master]
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    out.append(int(proc.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


@dataclass(frozen=True)
class Snapshot:
    mono: float
    worker_cpu: float
    pg_cpu: dict[int, float]
    pg_written: dict[int, int]
    wal: int
    wal_writes: int  # write() calls of WAL pages: each commit rewrites the current (partial) WAL page
    buffers: int  # data pages written by checkpoints, the background writer and backends


def snapshot(workers: list[subprocess.Popen[str]], data: Path, url: str) -> Snapshot:
    pg = {pid: usage(pid) for pid in postgres_pids(data)}
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        wal, wal_writes = conn.execute(text("SELECT wal_bytes, wal_write FROM pg_stat_wal")).one()
        buffers = conn.execute(
            text("SELECT buffers_checkpoint + buffers_clean + buffers_backend FROM pg_stat_bgwriter")
        ).scalar_one()
    engine.dispose()
    return Snapshot(
        time.monotonic(),
        sum(usage(w.pid).cpu_s for w in workers if w.poll() is None),
        {p: u.cpu_s for p, u in pg.items()},
        {p: u.write_bytes for p, u in pg.items()},
        int(wal),
        int(wal_writes),
        int(buffers),
    )


def fetch_arrivals(port: int) -> list[Arrival]:
    offset = time.time() - time.monotonic()  # the target records monotonic time
    body = httpx.get(f"http://127.0.0.1:{port}/__agents", timeout=60, trust_env=False).text
    out = []
    for line in body.splitlines():
        t, path, agent = line.split(" ", 2)
        out.append(Arrival(float(t) + offset, path, agent))
    return out


def resource_ids(url: str) -> dict[str, int]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, target FROM resource")).all()
    engine.dispose()
    return {"/" + target.split("/", 3)[3]: int(rid) for rid, target in rows}  # the request path of each


def lag_s(arrival: Arrival, rid: int, interval: float) -> float:
    """How long after its nearest slot a check reached the target (negative: before it)."""
    offset = phase(rid) * interval
    k = round((arrival.t - offset) / interval)
    return arrival.t - (k * interval + offset)


def start_worker(
    url: str, location: str, n: int, data_dir: Path, heartbeat: float, profile: str = ""
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "KAIROS_DATABASE_URL": url,
        "KAIROS_LOCATION": location,
        "KAIROS_WORKER_ID": f"bench-{location}-{n}",
        "KAIROS_WORKER_PORT": "0",
        "KAIROS_HOST": "127.0.0.1",
        "KAIROS_DATA_DIR": str(data_dir),
        "KAIROS_SECRET_KEY": "bench",
        "KAIROS_USER_AGENT": f"kairos-{location}",
        "KAIROS_LOG_LEVEL": "warning",
        "KAIROS_HEARTBEAT_INTERVAL_S": str(heartbeat),
    }
    profiler = ["-m", "cProfile", "-o", f"{profile}/worker-{location}-{n}.prof"] if profile else []
    return subprocess.Popen(
        [sys.executable, *profiler, "-m", "kairos.cli.main", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def report_window(
    s0: Snapshot, s1: Snapshot, arrivals: list[Arrival], ids: dict[str, int], args: argparse.Namespace
) -> None:
    t0 = s0.mono + (time.time() - time.monotonic())
    elapsed = s1.mono - s0.mono
    window = [a for a in arrivals if t0 <= a.t < t0 + elapsed and a.path.startswith(PREFIX)]
    checks = len(window)
    expected = len(args.locations) * args.resources / args.interval
    lags = [lag_s(a, ids[a.path], args.interval) * 1000 for a in window]
    worker_ms = (s1.worker_cpu - s0.worker_cpu) * 1000 / max(checks, 1)
    pg_cpu = sum(c - s0.pg_cpu.get(p, 0.0) for p, c in s1.pg_cpu.items())
    pg_written = sum(w - s0.pg_written.get(p, 0) for p, w in s1.pg_written.items())
    print(
        f"steady state over {elapsed:.0f} s: {checks} checks, {checks / elapsed:.1f} checks/s (expected {expected:.1f})"
    )
    print(
        f"lag after the slot, ms: p50 {percentile(lags, 0.5):.1f}  p95 {percentile(lags, 0.95):.1f}  "
        f"p99 {percentile(lags, 0.99):.1f}  max {max(lags, default=float('nan')):.1f}"
    )
    pg_ms = pg_cpu * 1000 / max(checks, 1)
    workers = len(args.locations) * args.per_location
    print(f"CPU per check: workers {worker_ms:.3f} ms (all {workers} together), PostgreSQL {pg_ms:.3f} ms")
    print(
        f"PostgreSQL per check: {(s1.wal - s0.wal) / max(checks, 1):.0f} B of WAL, "
        f"{pg_written / max(checks, 1):.0f} B written to storage ({s1.wal_writes - s0.wal_writes} WAL page writes, "
        f"{s1.buffers - s0.buffers} data pages in the window)"
    )


def report_kill(arrivals: list[Arrival], killed_at: float, location: str, ids: dict[str, int], interval: float) -> None:
    per: dict[str, list[float]] = defaultdict(list)
    for a in arrivals:
        if a.agent.endswith(location) and a.path.startswith(PREFIX):
            per[a.path].append(a.t)
    first_after, gaps = [], []
    for times in per.values():
        times.sort()
        after = [t for t in times if t > killed_at]
        before = [t for t in times if t <= killed_at]
        if after:
            first_after.append(after[0] - killed_at)
        if after and before:
            gaps.append(after[0] - before[-1])
    missing = len(ids) - len(first_after)
    print(
        f"after SIGKILL of a {location} worker: every resource checked again from {location} within "
        f"{max(first_after, default=float('nan')):.1f} s (interval {interval:.0f} s; {missing} not yet); "
        f"longest gap between two {location} checks of one resource {max(gaps, default=float('nan')):.1f} s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=2000)
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--duration", type=float, default=120.0, help="seconds of steady state to measure")
    ap.add_argument("--warmup", type=float, default=None, help="seconds before the window (default: interval + 15)")
    ap.add_argument("--locations", default="eu,us", type=lambda v: v.split(","))
    ap.add_argument("--per-location", type=int, default=2, help="workers per location")
    ap.add_argument("--parallelism", type=int, default=100, help="HTTP checks at once per worker")
    ap.add_argument("--heartbeat", type=float, default=5.0)
    ap.add_argument("--profile", default="", help="a directory: each worker writes a cProfile there when it stops")
    ap.add_argument("--kill", action="store_true", help="SIGKILL one worker after the window and time the pickup")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kairos-fleet-", dir="/var/tmp"))  # /var/tmp: tmpfs counts no writes
    url, data = start_postgres(root / "pg")
    target = subprocess.Popen(
        [sys.executable, str(HERE / "target.py")],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TARGET_USER_AGENTS": "1"},
    )
    workers: list[subprocess.Popen[str]] = []
    try:
        assert target.stdout is not None
        port = int(target.stdout.readline().split()[2].rsplit(":", 1)[1])
        seed(url, args.resources, port, args.interval, args.parallelism, prefix=PREFIX)
        ids = resource_ids(url)
        print(
            f"{args.resources} HTTP resources every {args.interval} s, checked in {len(args.locations)} locations "
            f"({', '.join(args.locations)}) by {args.per_location} workers each; PostgreSQL with default durability"
        )
        started = time.monotonic()
        for loc in args.locations:
            for n in range(args.per_location):
                workers.append(start_worker(url, loc, n, root / f"w-{loc}-{n}", args.heartbeat, args.profile))
        time.sleep(args.interval + 15 if args.warmup is None else args.warmup)
        s0 = snapshot(workers, data, url)
        time.sleep(args.duration)
        s1 = snapshot(workers, data, url)
        report_window(s0, s1, fetch_arrivals(port), ids, args)
        rss = [usage(w.pid).rss_bytes / 2**20 for w in workers if w.poll() is None]
        pg_rss = sum(usage(p).rss_bytes for p in postgres_pids(data)) / 2**20
        print(f"RSS: workers {', '.join(f'{r:.0f}' for r in rss)} MB; PostgreSQL processes {pg_rss:.0f} MB together")
        print(f"(workers started {s0.mono - started:.0f} s before the window)")
        if args.kill:
            victim = workers[0]
            killed_at = time.time()
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            time.sleep(args.interval + 15)
            report_kill(fetch_arrivals(port), killed_at, args.locations[0], ids, args.interval)
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
        for w in workers:
            try:
                w.wait(30)
            except subprocess.TimeoutExpired:
                w.kill()
        target.terminate()
        target.wait(5)
        stop_postgres(data)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
