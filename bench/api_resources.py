#!/usr/bin/env python3
"""``GET /api/resources`` at scale: the whole list and pages of 50 (plain, by name, searched, by status, deep).

Seeds N resources (default 10,000) in groups of 100 (every tenth group AUTHENTICATED, so an anonymous caller's
visibility filter has work to do), switched off so the process under test checks nothing (their status is
``unknown``: the status filter still reads the live board for each). Starts a real Kairos in its own process on
loopback, then times each request ``--runs`` times after a warm-up, anonymous and with an admin key. Prints
median milliseconds, body size and items; asserts nothing.

    .venv/bin/python bench/api_resources.py [--resources 10000] [--runs 20] [--db URL]

``BENCH_CODE=DIR`` seeds and serves with another checkout's kairos (e.g. ``git archive HEAD | tar -x -C DIR``)
for "before" figures of the same seed: older code ignores the paging parameters and answers everything.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# The checkout under test provides kairos (its models, its migrations) to the seed and to the server.
sys.path.insert(0, str(Path(os.environ.get("BENCH_CODE") or Path(__file__).resolve().parents[1]).resolve()))

import httpx
from sqlalchemy import create_engine, insert

from kairos.auth.apikeys import create_key
from kairos.db.engine import make_engine, make_sessionmaker, sync_url
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import GroupMember, Resource, ResourceGroup

ROOT = Path(sys.path[0])
SERVER = """
import sys, uvicorn
from kairos.app import create_app
from kairos.settings import Settings
settings = Settings(database_url=sys.argv[1], data_dir=sys.argv[2], secret_key="bench", log_level="warning")
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
"""
PATHS = (
    ("whole list", "/api/resources"),
    ("limit=50", "/api/resources?limit=50"),
    ("limit=50 sort=name", "/api/resources?limit=50&sort=name"),
    ("limit=50 offset=9000", "/api/resources?limit=50&offset=9000&sort=name"),
    ("limit=50 q=-99", "/api/resources?limit=50&q=-99"),
    ("limit=50 status=unknown", "/api/resources?limit=50&status=unknown"),
    ("limit=50 sort=status", "/api/resources?limit=50&sort=status"),
)


def seed(url: str, resources: int) -> str:
    """The database with ``resources`` resources in groups of 100; returns an admin API key."""
    upgrade_to_head(url)
    at = datetime.now(UTC)
    groups = (resources + 99) // 100
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(
            insert(ResourceGroup),
            [{"id": g, "name": f"group {g}", "visibility": "AUTHENTICATED" if g % 10 == 0 else "PUBLIC",
              "display_order": g, "created_at": at} for g in range(1, groups + 1)],
        )  # fmt: skip
        conn.execute(
            insert(Resource),
            [{"id": i, "name": f"k-{i}", "kind": "HTTP", "target": f"http://127.0.0.1:9/{i}", "config": {},
              "enabled": False} for i in range(1, resources + 1)],
        )  # fmt: skip
        conn.execute(
            insert(GroupMember),
            [{"group_id": (i - 1) // 100 + 1, "resource_id": i, "display_order": i} for i in range(1, resources + 1)],
        )
    engine.dispose()

    async def key() -> str:
        db = make_engine(url)
        try:
            async with make_sessionmaker(db)() as session:
                made = await create_key(session, "bench")
                await session.commit()
                return made.plaintext
        finally:
            await db.dispose()

    return asyncio.run(key())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(client: httpx.Client, path: str, runs: int, headers: dict[str, str]) -> tuple[float, int, int]:
    """Median milliseconds of ``runs`` GETs after a warm-up, the body's bytes and its items."""
    client.get(path, headers=headers).raise_for_status()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(response.content), len(response.json())


def measure(base: str, key: str, runs: int) -> None:
    with httpx.Client(base_url=base, timeout=300) as client:
        for who, headers in (("anonymous", {}), ("admin key", {"Authorization": f"Bearer {key}"})):
            for label, path in PATHS:
                median, size, items = timed(client, path, runs, headers)
                print(f"{who:10} {label:24} median {median:8.1f} ms  {size / 1024:8.0f} KB  {items:6} items")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", default="sqlite", help="sqlite (a temp file) or an empty PostgreSQL database's URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db" if args.db == "sqlite" else args.db
        t = time.perf_counter()
        key = seed(url, args.resources)
        print(f"seeded {args.resources} resources in {time.perf_counter() - t:.1f} s; code: {ROOT}")
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen([sys.executable, "-c", SERVER, url, tmp, str(port)], cwd=ROOT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.time() + 120
            while True:
                try:
                    httpx.get(base + "/actuator/health", timeout=5).raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.time() > deadline or server.poll() is not None:
                        raise SystemExit("Kairos did not start") from None
                    time.sleep(0.2)
            measure(base, key, args.runs)
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
