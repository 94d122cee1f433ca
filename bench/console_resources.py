#!/usr/bin/env python3
"""The console's resource list ``/admin/resources`` at N resources (default 10,000) on SQLite.

Starts a real Kairos in its own process on a fresh SQLite file, writes N resources (100 to a group) straight
into the database, signs in as the admin over HTTP, then times ``GET /admin/resources``
(page 1, default filters), a text search, the status order and a late page over loopback: median and p95 of
``--runs`` after one warm-up, and the size of the HTML. Prints the figures; asserts nothing.

To compare with another version of the code, run it with that version first on ``PYTHONPATH`` (the server
process imports ``kairos`` from there): ``git archive <rev> | tar -x -C /tmp/old`` and
``PYTHONPATH=/tmp/old .venv/bin/python bench/console_resources.py``.

    .venv/bin/python bench/console_resources.py [--resources 10000] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import MetaData, Table, create_engine, insert

SERVER = """
import sys, uvicorn
from kairos.app import create_app
from kairos.settings import Settings
settings = Settings(database_url=sys.argv[1], data_dir=sys.argv[2], secret_key="bench", log_level="warning")
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
"""
PASSWORD = "bench-password-long"
QUERIES = ("", "?q=res-99", "?sort=status", "?page=150")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("Kairos exited during start-up")
        try:
            if httpx.get(base + "/actuator/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("Kairos did not start within 2 minutes")


def seed(db_file: Path, count: int) -> None:
    """N resources, 100 to a group: reflected tables, so an older schema works too."""
    engine = create_engine(f"sqlite:///{db_file}")
    meta = MetaData()
    resource, group, member = (
        Table(t, meta, autoload_with=engine) for t in ("resource", "resource_group", "resource_group_member")
    )
    keyed = "name_key" in resource.c  # the schema of issue 18 on (natural order); older code has none

    def named(name: str) -> dict[str, str]:
        if not keyed:
            return {"name": name}
        from kairos.naming import natural_key  # a schema with the column comes with the code that fills it

        return {"name": name, "name_key": natural_key(name)}

    now = datetime.now(UTC).replace(tzinfo=None)  # the columns hold naive UTC
    with engine.begin() as conn:
        groups = [
            {"id": g, "visibility": "PUBLIC", "display_order": g, "created_at": now, **named(f"group-{g}")}
            for g in range(1, count // 100 + 2)
        ]
        conn.execute(insert(group), groups)
        rows = [
            {"id": i, "kind": "TCP", "target": f"127.0.0.1:{1 + i % 1000}", "config": {}, "enabled": False,
             "skip_tls": False, "recursive": False, "display_order": i, "created_at": now, "updated_at": now,
             "upside_down": False, **named(f"res-{i}")}
            for i in range(1, count + 1)
        ]  # fmt: skip
        conn.execute(insert(resource), rows)
        conn.execute(
            insert(member),
            [{"group_id": 1 + i // 100, "resource_id": i, "display_order": i} for i in range(1, count + 1)],
        )
    engine.dispose()


def sign_in(client: httpx.Client) -> None:
    def post(path: str, data: dict[str, str]) -> httpx.Response:
        token = _CSRF.search(client.get(path).text)
        assert token, f"no CSRF token on {path}"
        return client.post(path, data={"csrf_token": token.group(1), **data})

    post("/login", {"email": "admin@kairos.local", "password": "admin"})
    r = post("/account/password", {"current": "admin", "new": PASSWORD, "again": PASSWORD})
    if r.status_code != 303:
        raise SystemExit(f"could not sign in: {r.status_code}")


def timed(client: httpx.Client, path: str, runs: int) -> tuple[float, float, int]:
    client.get(path)  # warm-up
    times: list[float] = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        size = len(r.content)
        if r.status_code != 200:
            raise SystemExit(f"{path}: {r.status_code}")
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_file = Path(tmp) / "kairos.db"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        argv = [sys.executable, "-c", SERVER, f"sqlite+aiosqlite:///{db_file}", tmp, str(port)]
        # cwd: the temporary directory, so ``-c`` does not import kairos from wherever the bench was started
        server = subprocess.Popen(argv, env={**os.environ}, cwd=tmp)
        try:
            wait_up(base, server)
            seed(db_file, args.resources)
            with httpx.Client(base_url=base, timeout=120) as client:
                sign_in(client)
                print(f"/admin/resources at {args.resources:,} resources (SQLite), {args.runs} runs each")
                for query in QUERIES:
                    median, p95, size = timed(client, "/admin/resources" + query, args.runs)
                    path = "/admin/resources" + query
                    print(f"  {path:34} median {median:8.1f} ms  p95 {p95:8.1f} ms  {size / 1024:8.1f} KB")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
