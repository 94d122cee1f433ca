#!/usr/bin/env python3
"""``/actuator/prometheus`` at scale: how long one scrape takes, how big it is, how many series it holds.

Seeds N HTTP resources in groups of ``--group-size`` with a current state each (one in 200 down, in an outage),
starts a real Kairos in its own process with the scheduler off (the board is loaded from the seeded states; no
check runs, nothing is sent anywhere), then scrapes over loopback ``--runs`` times, plain and gzipped, for each
cardinality setting. Prints per setting: the median scrape time, the body size (plain and gzipped), the series
count and the series per resource, and the worst answer time of ``/actuator/info`` polled during the scrapes
(how long the event loop was held). Figures of an older commit: copy this script into an archive of it
(``git archive <commit> | tar -x -C DIR``) and run it there with ``--variants all``. Asserts nothing.

    .venv/bin/python bench/metrics.py [--resources 1000,10000] [--db sqlite|URL] [--runs 10]
        [--variants all,latency-off,one-group,groups,none]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import create_engine, insert, text

from kairos.db.engine import sync_url
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import GroupMember, Outage, Resource, ResourceGroup, ResourceState

ROOT = Path(__file__).resolve().parents[1]
SERVER = """
import sys, uvicorn
sys.path.insert(0, sys.argv[2])  # the checkout this script belongs to, whatever the working directory
from kairos.app import create_app
from kairos.settings import Settings
uvicorn.run(create_app(Settings()), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""
CHUNK = 20_000
DOWN_EVERY = 200
VARIANTS: dict[str, dict[str, str]] = {
    "all": {},
    "latency-off": {"KAIROS_METRICS_LATENCY": "false"},
    "one-group": {"KAIROS_METRICS_GROUPS": "Team 0001"},
    "groups": {"KAIROS_METRICS_RESOURCE_SERIES": "groups"},
    "none": {"KAIROS_METRICS_RESOURCE_SERIES": "none"},
}


def _chunks(rows: Iterator[dict[str, object]]) -> Iterator[list[dict[str, object]]]:
    batch: list[dict[str, object]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(url: str, resources: int, group_size: int) -> None:
    upgrade_to_head(url)
    engine = create_engine(sync_url(url))
    at = datetime.now(UTC) - timedelta(minutes=1)
    with engine.begin() as conn:
        for table in ("outage", "resource_state", "resource_group_member", "resource_group", "resource"):
            conn.execute(text(f"DELETE FROM {table}"))
        ids = range(1, resources + 1)
        for batch in _chunks(
            {"id": i, "name": f"k-{i}", "kind": "HTTP", "target": "http://127.0.0.1:9/", "config": {}} for i in ids
        ):
            conn.execute(insert(Resource), batch)
        groups = -(-resources // group_size)
        conn.execute(insert(ResourceGroup), [{"id": g, "name": f"Team {g:04d}"} for g in range(1, groups + 1)])
        for batch in _chunks({"group_id": (i - 1) // group_size + 1, "resource_id": i} for i in ids):
            conn.execute(insert(GroupMember), batch)
        for batch in _chunks(_state(i, at) for i in ids):
            conn.execute(insert(ResourceState), batch)
        down = [{"resource_id": i, "started_at": at, "message": "HTTP 500"} for i in ids if i % DOWN_EVERY == 7]
        if down:
            conn.execute(insert(Outage), down)
    engine.dispose()


def _state(rid: int, at: datetime) -> dict[str, object]:
    down = rid % DOWN_EVERY == 7
    return {
        "resource_id": rid,
        "status": "NOT_AVAILABLE" if down else "AVAILABLE",
        "last_checked_at": at,
        "last_latency_ms": 20.0 + rid % 50,
        "last_message": "HTTP 500" if down else "HTTP 200 OK",
        "last_http_status": 500 if down else 200,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(url: str, data: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    settings = {
        "KAIROS_DATABASE_URL": url,
        "KAIROS_DATA_DIR": data,
        "KAIROS_SECRET_KEY": "bench",
        "KAIROS_SCHEDULER_ENABLED": "false",
        "KAIROS_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(ROOT)], env={**os.environ, **settings, **env}, cwd=data
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 600
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("Kairos exited during start-up")
        try:
            if httpx.get(base + "/actuator/health", timeout=5).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("Kairos did not start within 10 minutes")


class Poller(threading.Thread):
    """Asks /actuator/info all along: its slowest answer is how long the event loop was held by a scrape."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.worst, self.stop = base, 0.0, threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as client:
            while not self.stop.is_set():
                t = time.perf_counter()
                client.get("/actuator/info")
                self.worst = max(self.worst, time.perf_counter() - t)
                time.sleep(0.005)


def scrape(base: str, runs: int, gzip: bool) -> tuple[float, float, int, int, int, float]:
    """(first ms, median ms, bytes on the wire, series, series with a resource_id, worst /actuator/info ms)."""
    headers = {"Accept-Encoding": "gzip" if gzip else "identity"}
    times: list[float] = []
    poller = Poller(base)
    with httpx.Client(base_url=base, timeout=120, headers=headers) as client:
        t = time.perf_counter()
        client.get("/actuator/prometheus")  # the first reads groups and tags from the database, makes the labels
        first = time.perf_counter() - t
        poller.start()
        for _ in range(runs):
            t = time.perf_counter()
            r = client.get("/actuator/prometheus")
            times.append(time.perf_counter() - t)
            r.raise_for_status()
        poller.stop.set()
        poller.join()
    wire = int(r.headers.get("content-length", len(r.content)))
    lines = [x for x in r.text.splitlines() if x and not x.startswith("#")]
    per_resource = sum('resource_id="' in x for x in lines)
    return first * 1000, statistics.median(times) * 1000, wire, len(lines), per_resource, poller.worst * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", default="1000,10000", help="comma-separated sizes")
    ap.add_argument("--db", default="sqlite", help="sqlite (a temp file) or a SQLAlchemy URL")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--group-size", type=int, default=100)
    ap.add_argument("--variants", default=",".join(VARIANTS), help=f"of {', '.join(VARIANTS)}")
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="kairos-bench-metrics-")
    url = f"sqlite+aiosqlite:///{data}/bench.db" if args.db == "sqlite" else args.db
    print(f"database: {url.split('://')[0]}, runs: {args.runs}")
    print(
        "resources  setting      first ms  plain ms  gzip ms  plain bytes  gzip bytes   series  per resource"
        "  info worst ms"
    )
    for n in (int(x) for x in args.resources.split(",")):
        seed(url, n, args.group_size)
        for variant in args.variants.split(","):
            server, base = start(url, data, VARIANTS[variant])
            try:
                first, ms, size, series, own, worst = scrape(base, args.runs, gzip=False)
                _, gz_ms, gz_size, _, _, gz_worst = scrape(base, args.runs, gzip=True)
            finally:
                server.terminate()
                server.wait(30)
            print(
                f"{n:>9,}  {variant:<12} {first:>9.0f} {ms:>9.0f} {gz_ms:>8.0f} {size:>12,} {gz_size:>11,} {series:>8,}"
                f" {own / n:>13.2f} {max(worst, gz_worst):>14.0f}"
            )


if __name__ == "__main__":
    main()
