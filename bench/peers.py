#!/usr/bin/env python3
"""Kairos beside Prometheus + blackbox_exporter: the same N HTTP checks every interval, one shared target.

Starts ``bench/target.py`` (records each request's path and arrival time), Kairos as ``kairos serve`` on a
fresh SQLite database (its own process, like a real install: web server and scheduler together) checking
``/k/<i>``, and Prometheus scraping blackbox_exporter's ``/probe?module=http_2xx&target=.../p/<i>`` for the
same N targets (Debian's packages, as child processes with their own config files and data in a temp dir,
on free loopback ports). Both start together; after both have checked every target once and a warm-up,
one window measures each system's processes through /proc (CPU, RSS, write_bytes, data directory growth)
and the target's record (first check of all, spacing against the interval, busiest second). Prints both
and the ratios; asserts nothing. Skips (exit 0) where the Debian packages are missing:

    apt-get install -y prometheus prometheus-blackbox-exporter
    .venv/bin/python bench/peers.py [--resources 1000] [--interval 20] [--duration 300]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import arrivals
from bench.engine import seed
from bench.procstat import Usage, tree_size, usage
from tests.servers.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "bench"
PROMETHEUS = "prometheus"
BLACKBOX = "prometheus-blackbox-exporter"
KAIROS_PREFIX = "/k/"
PEER_PREFIX = "/p/"


@dataclass
class System:
    """One monitoring system under test: its processes, data directory, start time and prefix at the target."""

    name: str
    prefix: str
    data: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    started: float = 0.0
    peak_rss: int = 0
    data_growth: int = 0

    def usage(self) -> Usage:
        parts = [usage(p.pid) for p in self.procs]
        return Usage(
            cpu_s=sum(u.cpu_s for u in parts),
            rss_bytes=sum(u.rss_bytes for u in parts),
            peak_rss_bytes=sum(u.peak_rss_bytes for u in parts),
            write_bytes=sum(u.write_bytes for u in parts),
        )

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs)


def child_env(**extra: str) -> dict[str, str]:
    """The environment without proxy settings: every request of the benchmark stays on loopback."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return {**env, **extra}


def start_kairos(work: Path, args: argparse.Namespace, target_port: int) -> System:
    data = work / "kairos"
    data.mkdir()
    url = f"sqlite+aiosqlite:///{data}/kairos.db"
    seed(url, args.resources, target_port, args.interval, args.parallelism, prefix=KAIROS_PREFIX)
    env = child_env(
        KAIROS_DATA_DIR=str(data),
        KAIROS_DATABASE_URL=url,
        KAIROS_HOST="127.0.0.1",
        KAIROS_PORT=str(free_port()),
        KAIROS_LOG_LEVEL="warning",
        KAIROS_SECRET_KEY="bench",
        PYTHONPATH=str(ROOT),  # this checkout's kairos, whatever the venv has installed
    )
    system = System("Kairos", KAIROS_PREFIX, data)
    log = (work / "kairos.log").open("wb")
    system.started = time.monotonic()
    system.procs.append(
        subprocess.Popen([sys.executable, "-m", "kairos.cli.main", "serve"], env=env, cwd=data, stdout=log, stderr=log)
    )
    return system


def start_peer(work: Path, args: argparse.Namespace, target_port: int) -> System:
    data = work / "prometheus"
    data.mkdir()
    blackbox_port, prometheus_port = free_port(), free_port()
    (work / "blackbox.yml").write_text(
        "modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n"
    )
    targets = "".join(f"          - http://127.0.0.1:{target_port}{PEER_PREFIX}{i}\n" for i in range(args.resources))
    # The blackbox exporter's documented pattern: the target becomes the probe's parameter, the scrape goes to
    # the exporter.
    (work / "prometheus.yml").write_text(
        f"global:\n  scrape_interval: {args.interval}s\n  scrape_timeout: {min(10, args.interval)}s\n"
        "scrape_configs:\n  - job_name: blackbox\n    metrics_path: /probe\n    params:\n"
        "      module: [http_2xx]\n    static_configs:\n      - targets:\n"
        f"{targets}"
        "    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n"
        "      - source_labels: [__param_target]\n        target_label: instance\n"
        f"      - target_label: __address__\n        replacement: 127.0.0.1:{blackbox_port}\n"
    )
    system = System("Prometheus + blackbox", PEER_PREFIX, data)
    log = (work / "peer.log").open("wb")
    system.procs.append(
        subprocess.Popen(
            [
                BLACKBOX,
                f"--config.file={work / 'blackbox.yml'}",
                f"--web.listen-address=127.0.0.1:{blackbox_port}",
                "--log.level=warn",
            ],
            env=child_env(),
            cwd=work,
            stdout=log,
            stderr=log,
        )
    )
    system.started = time.monotonic()
    system.procs.append(
        subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={work / 'prometheus.yml'}",
                f"--storage.tsdb.path={data}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
                "--log.level=warn",
            ],
            env=child_env(),
            cwd=work,
            stdout=log,
            stderr=log,
        )
    )
    return system


def wait_first_pass(systems: list[System], port: int, n: int, limit: float) -> dict[str, float]:
    """Seconds from each system's start until the target had seen every one of its n paths."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for s in systems:
            if not s.alive():
                raise SystemExit(f"{s.name} exited early; see its log in the work directory")
        records = arrivals.fetch(port)
        firsts = {s.name: arrivals.first_of_all(records, s.prefix, n, s.started) for s in systems}
        if not any(math.isnan(v) for v in firsts.values()):
            return firsts
        time.sleep(1)
    raise SystemExit(f"not every target was checked within {limit:.0f} s")


def measure(systems: list[System], duration: float) -> tuple[dict[str, Usage], dict[str, Usage], float, float]:
    """Usage of each system at the start and end of the window, tracking peak RSS (sampled each second)."""
    before = {s.name: s.usage() for s in systems}
    sizes0 = {s.name: tree_size(s.data) for s in systems}
    start = time.monotonic()
    while time.monotonic() < start + duration:
        time.sleep(min(1.0, max(0.0, start + duration - time.monotonic())))
        for s in systems:
            s.peak_rss = max(s.peak_rss, s.usage().rss_bytes)
    end = time.monotonic()
    after = {s.name: s.usage() for s in systems}
    for s in systems:
        s.data_growth = tree_size(s.data) - sizes0[s.name]
    return before, after, start, end


@dataclass(frozen=True)
class Row:
    name: str
    checks: int
    cpu_ms: float
    rss_mb: float
    written: float
    grown: float
    first: float
    window: arrivals.Window


def report(rows: list[Row], args: argparse.Namespace, seconds: float) -> None:
    print(
        f"\n{args.resources} HTTP checks every {args.interval} s each, window {seconds:.0f} s "
        f"(checks = requests the target saw in the window)\n"
    )
    print(
        "| system | checks | CPU ms/check | peak RSS | bytes written per check | data grew per check "
        "| first check of all | spacing p1 / p50 / p99 | busiest second / mean |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        p1, p50, p99 = r.window.spacing_ms
        print(
            f"| {r.name} | {r.checks:,} | {r.cpu_ms:.2f} | {r.rss_mb:.0f} MB | {r.written:,.0f} | {r.grown:,.0f} "
            f"| {r.first:.1f} s | {p1:+.1f} / {p50:+.1f} / {p99:+.1f} ms | {r.window.burst:.2f} |"
        )
    k, p = rows
    print(
        f"\nKairos / peer: CPU per check {k.cpu_ms / p.cpu_ms:.2f}x, RSS {k.rss_mb / p.rss_mb:.2f}x, "
        f"bytes written per check {k.written / max(p.written, 1):.1f}x, first check of all {k.first / p.first:.2f}x, "
        f"busiest second / mean {k.window.burst / p.window.burst:.2f}x"
    )


def row(s: System, before: Usage, after: Usage, first: float, window: arrivals.Window) -> Row:
    checks = max(window.requests, 1)
    return Row(
        name=s.name,
        checks=window.requests,
        cpu_ms=(after.cpu_s - before.cpu_s) / checks * 1000,
        rss_mb=s.peak_rss / 2**20,
        written=(after.write_bytes - before.write_bytes) / checks,
        grown=s.data_growth / checks,
        first=first,
        window=window,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=1000, help="HTTP checks per system")
    ap.add_argument("--interval", type=int, default=20, help="seconds between a target's checks")
    ap.add_argument("--duration", type=float, default=300.0, help="seconds of the measured window")
    ap.add_argument("--warmup", type=float, default=None, help="seconds after both first passes (default: interval)")
    ap.add_argument("--parallelism", type=int, default=5, help="Kairos HTTP checks at once (the default setting)")
    # /var/tmp, not /tmp: where /tmp is a tmpfs, the kernel accounts no write_bytes.
    ap.add_argument("--dir", default="/var/tmp", help="where the temp data directories go (a real disk)")
    args = ap.parse_args()
    missing = [cmd for cmd in (PROMETHEUS, BLACKBOX) if shutil.which(cmd) is None]
    if missing:
        print(
            f"skipped: {', '.join(missing)} not installed (apt-get install -y prometheus prometheus-blackbox-exporter)"
        )
        return
    work = Path(tempfile.mkdtemp(prefix="kairos-peers-", dir=args.dir))
    target = subprocess.Popen([sys.executable, str(HERE / "target.py")], stdout=subprocess.PIPE, text=True)
    systems: list[System] = []
    try:
        assert target.stdout is not None
        port = int(target.stdout.readline().split()[2].rsplit(":", 1)[1])
        systems.append(start_peer(work, args, port))
        systems.insert(0, start_kairos(work, args, port))
        print(f"{args.resources} checks every {args.interval} s per system; data in {work}", flush=True)
        firsts = wait_first_pass(systems, port, args.resources, 3 * args.interval + 120)
        time.sleep(args.interval if args.warmup is None else args.warmup)
        before, after, start, end = measure(systems, args.duration)
        records = arrivals.fetch(port)
        rows = [
            row(
                s,
                before[s.name],
                after[s.name],
                firsts[s.name],
                arrivals.window(records, s.prefix, args.interval, start, end),
            )
            for s in systems
        ]
        report(rows, args, end - start)
    finally:
        for p in [q for s in systems for q in s.procs] + [target]:
            p.terminate()
        for p in [q for s in systems for q in s.procs] + [target]:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
