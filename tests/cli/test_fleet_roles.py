"""The fleet's roles from the command line: refused on SQLite with one line, a worker's listener that cannot
have its port is one line, and a worker stops cleanly on SIGTERM (PostgreSQL only for the last two)."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import httpx
import psycopg
import pytest

from kairos.fleet.listen import conninfo_of
from tests.cli.test_cli import _env, _free_port, kairos_cli
from tests.dbs import DatabaseFactory
from tests.harness import wait_for


@pytest.mark.parametrize(("args", "role"), [(("worker",), "worker"), (("serve", "--role", "web"), "web")])
async def test_fleet_roles_refuse_sqlite_with_one_line(args: tuple[str, ...], role: str, tmp_path: Path) -> None:
    done = await kairos_cli(*args, env=_env(f"sqlite:///{tmp_path}/k.db", tmp_path), cwd=tmp_path)
    assert done.code == 2, done
    assert done.err.strip().count("\n") == 0 and "Traceback" not in done.err
    assert f"KAIROS_ROLE={role}" in done.err and "needs PostgreSQL" in done.err


async def test_an_unknown_role_is_named(tmp_path: Path) -> None:
    done = await kairos_cli("serve", "--role", "boss", env=_env(f"sqlite:///{tmp_path}/k.db", tmp_path), cwd=tmp_path)
    assert done.code == 2 and "KAIROS_ROLE" in done.err, done


async def test_a_worker_whose_port_is_taken_says_so_in_one_line(databases: DatabaseFactory, tmp_path: Path) -> None:
    if databases.backend != "postgresql":
        pytest.skip("the fleet needs PostgreSQL")
    url = databases.fresh()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = _env(url, tmp_path, KAIROS_WORKER_PORT=str(port), KAIROS_HOST="127.0.0.1", KAIROS_SECRET_KEY="k")
        done = await kairos_cli("worker", env=env, cwd=tmp_path)
    databases.drop(url)
    assert done.code == 1, done
    assert f"KAIROS_WORKER_PORT: cannot listen on 127.0.0.1:{port}" in done.err and "Traceback" not in done.err


async def test_a_worker_answers_health_and_stops_on_sigterm(databases: DatabaseFactory, tmp_path: Path) -> None:
    if databases.backend != "postgresql":
        pytest.skip("the fleet needs PostgreSQL")
    url = databases.fresh()
    port = _free_port()
    env = _env(url, tmp_path, KAIROS_WORKER_PORT=str(port), KAIROS_HOST="127.0.0.1", KAIROS_SECRET_KEY="k")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kairos.cli.main", "worker", "--location", "eu", env=env, cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:

        async def healthy() -> dict[str, object] | None:
            try:
                async with httpx.AsyncClient(trust_env=False) as client:
                    r = await client.get(f"http://127.0.0.1:{port}/actuator/health", timeout=2)
            except httpx.TransportError:
                return None
            return r.json() if r.status_code == 200 else None

        body = await wait_for(healthy, timeout=60, interval=0.2)
        assert body["components"]["worker"]["location"] == "eu"
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        databases.drop(url)


async def test_the_single_process_refuses_to_start_beside_a_fleets_workers(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    if databases.backend != "postgresql":
        pytest.skip("the fleet needs PostgreSQL")
    url = databases.fresh()
    try:
        with psycopg.connect(conninfo_of(url), autocommit=True) as conn:
            conn.execute(
                "INSERT INTO fleet_worker (id, location, host, pid, version, started_at, seen_at, leader) "
                "VALUES ('w-eu-1', 'eu', 'h', 1, 'x', now(), now(), false)"
            )
        env = _env(url, tmp_path, KAIROS_PORT=str(_free_port()), KAIROS_HOST="127.0.0.1", KAIROS_SECRET_KEY="k")
        done = await kairos_cli("serve", env=env, cwd=tmp_path)
    finally:
        databases.drop(url)
    assert done.code == 1, done
    assert "fleet workers run on this database (w-eu-1 (eu))" in done.err and "--role web" in done.err


async def test_a_workers_metrics_need_a_key_when_the_settings_say_so(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    """KAIROS_METRICS_REQUIRE_KEY guards a worker's /metrics as it guards the web nodes' (failed before: the
    worker served its metrics, with resource names, to anyone who could reach port 9464)."""
    if databases.backend != "postgresql":
        pytest.skip("the fleet needs PostgreSQL")
    url = databases.fresh()
    port = _free_port()
    extra = {"KAIROS_WORKER_PORT": str(port), "KAIROS_HOST": "127.0.0.1", "KAIROS_SECRET_KEY": "k"}
    env = _env(url, tmp_path, KAIROS_METRICS_REQUIRE_KEY="true", **extra)
    key = (await kairos_cli("apikey", "create", "scraper", "--role", "READ", env=env, cwd=tmp_path)).out.split()[-1]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kairos.cli.main", "worker", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as client:

            async def up() -> bool:
                try:
                    return (await client.get(base + "/actuator/health")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_for(up, timeout=60, interval=0.2)
            anonymous = await client.get(base + "/metrics")
            wrong = await client.get(base + "/metrics", headers={"Authorization": "Bearer nope"})
            right = await client.get(base + "/metrics", headers={"Authorization": f"Bearer {key}"})
            header = await client.get(base + "/actuator/prometheus", headers={"X-API-Key": key})
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        databases.drop(url)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    assert wrong.status_code == 401
    assert right.status_code == 200 and "kairos_" in right.text
    assert header.status_code == 200
