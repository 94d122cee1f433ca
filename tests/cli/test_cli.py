"""The ``kairos`` command line, run as a real subprocess against real loopback targets and databases."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kairos.cli.main import app
from tests.api.loopback import Target
from tests.dbs import DatabaseFactory
from tests.harness import Running, wait_for


@dataclass
class Done:
    code: int
    out: str
    err: str


def _env(db_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    return {**env, "KAIROS_DATABASE_URL": db_url, "KAIROS_DATA_DIR": str(data_dir), **extra}


async def kairos_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Done:
    """Run the CLI without blocking the event loop, so loopback targets in this loop keep answering."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kairos.cli.main",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return Done(proc.returncode, out.decode(), err.decode())


async def test_check_http_prints_each_phase_and_exits_0_when_available(target: Target) -> None:
    done = await kairos_cli("check", "http", target.url("/"))
    assert done.code == 0, done
    for label in ("DNS", "connect", "TLS", "first byte", "total", "HTTP status"):
        assert label in done.out
    assert "AVAILABLE" in done.out and "ms" in done.out


async def test_check_http_exits_1_when_the_target_answers_an_error(target: Target) -> None:
    done = await kairos_cli("check", "http", target.url("/fail"), "--timeout", "5")
    assert done.code == 1, done
    assert "NOT AVAILABLE (http_status)" in done.out


async def test_check_http_sends_the_given_headers(target: Target) -> None:
    auth = "Basic " + base64.b64encode(b"probe:probe-secret").decode()
    assert (await kairos_cli("check", "http", target.url("/auth"))).code == 1
    done = await kairos_cli("check", "http", target.url("/auth"), "--header", f"Authorization: {auth}")
    assert done.code == 0, done


async def test_check_tcp_exits_0_on_a_listening_port_and_1_on_a_closed_one(target: Target, closed_port: int) -> None:
    port = target.base.rsplit(":", 1)[1]
    up = await kairos_cli("check", "tcp", f"127.0.0.1:{port}")
    assert up.code == 0, up
    assert "connect" in up.out
    down = await kairos_cli("check", "tcp", f"127.0.0.1:{closed_port}")
    assert down.code == 1, down
    assert "connect_refused" in down.out


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("check", "http", "ftp://example.com/"), "scheme 'ftp' is not supported"),
        (("check", "http", "javascript:alert(1)"), "not supported"),
        (("check", "http", "http://127.0.0.1:70000/"), "out of range"),
        (("check", "tcp", "127.0.0.1"), "port is missing"),
        (("check", "http", "http://127.0.0.1/", "--header", "no colon"), "--header"),
        (("check", "http", "http://127.0.0.1/", "--timeout", "0"), "--timeout"),
    ],
)
def test_bad_check_arguments_exit_2_with_a_clear_message(args: tuple[str, ...], reason: str) -> None:
    # In-process: these stop before any I/O, and a subprocess would only add start-up time.
    done = CliRunner().invoke(app, list(args))
    assert done.exit_code == 2, done.output
    assert reason in done.stderr


async def test_a_key_created_by_the_cli_works_until_revoked(kairos: Running, db_url: str, tmp_path: Path) -> None:
    env = _env(db_url, tmp_path)
    created = await kairos_cli("apikey", "create", "grafana", "--role", "READ", env=env, cwd=tmp_path)
    assert created.code == 0, created
    key = created.out.strip()
    assert key.startswith("kai_") and "not shown again" in created.err
    headers = {"X-API-Key": key}
    assert (await kairos.anon.get("/api/outages", headers=headers)).status_code == 200

    listed = await kairos_cli("apikey", "list", env=env, cwd=tmp_path)
    row = next(line for line in listed.out.splitlines() if line.endswith("grafana"))
    assert key not in listed.out and key[:12] in row and "STATUS_READ" in row and "active" in row
    key_id = row.split()[0]

    revoked = await kairos_cli("apikey", "revoke", key_id, env=env, cwd=tmp_path)
    assert revoked.code == 0, revoked
    assert (await kairos.anon.get("/api/outages", headers=headers)).status_code == 401
    assert (await kairos_cli("apikey", "revoke", "4242", env=env, cwd=tmp_path)).code == 1


async def test_apikey_create_refuses_an_unknown_role(db_url: str, tmp_path: Path) -> None:
    done = await kairos_cli("apikey", "create", "x", "--role", "ROOT", env=_env(db_url, tmp_path), cwd=tmp_path)
    assert done.code == 2 and "--role" in done.err


async def test_apikey_create_takes_repeated_scopes_and_refuses_an_unknown_one(
    kairos: Running, db_url: str, tmp_path: Path
) -> None:
    env = _env(db_url, tmp_path)
    bad = await kairos_cli("apikey", "create", "x", "--scope", "STATUS_READ", "--scope", "ROOT", env=env, cwd=tmp_path)
    assert bad.code == 2 and bad.err.count("\n") == 1 and "unknown scope 'ROOT'" in bad.err
    both = await kairos_cli("apikey", "create", "x", "--scope", "ADMIN", "--role", "READ", env=env, cwd=tmp_path)
    assert both.code == 2 and "not both" in both.err
    made = await kairos_cli(
        "apikey", "create", "ci", "--scope", "check_execute", "--scope", "STATUS_READ", env=env, cwd=tmp_path
    )
    assert made.code == 0, made
    key = {"X-API-Key": made.out.strip()}
    assert (await kairos.anon.get("/api/outages", headers=key)).status_code == 200
    assert (await kairos.anon.post("/api/groups", json={"name": "no"}, headers=key)).status_code == 403
    listed = await kairos_cli("apikey", "list", env=env, cwd=tmp_path)
    row = next(line for line in listed.out.splitlines() if line.endswith("  ci"))
    assert "STATUS_READ,CHECK_EXECUTE" in row


async def test_migrate_brings_an_empty_database_to_head(databases: DatabaseFactory, tmp_path: Path) -> None:
    url = databases.empty()
    try:
        done = await kairos_cli("migrate", env=_env(url, tmp_path), cwd=tmp_path)
        assert done.code == 0, done
        assert "up to date" in done.out
    finally:
        databases.drop(url)


async def test_a_bad_setting_stops_serve_with_the_variable_named(db_url: str, tmp_path: Path) -> None:
    done = await kairos_cli("serve", env=_env(db_url, tmp_path, KAIROS_PORT="99999"), cwd=tmp_path)
    assert done.code == 2, done
    assert "KAIROS_PORT" in done.err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_serve_answers_and_stops_on_sigterm(db_url: str, tmp_path: Path) -> None:
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kairos.cli.main",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=_env(db_url, tmp_path, KAIROS_LOG_LEVEL="warning"),
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:

            async def healthy() -> bool:
                try:
                    return bool((await client.get("/actuator/health")).json()["status"] == "UP")
                except httpx.TransportError:
                    return False

            await wait_for(healthy, timeout=30, interval=0.1)
        proc.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal so the exit says how it ended.
        assert await asyncio.wait_for(proc.wait(), timeout=15) in (0, -signal.SIGTERM)
        assert proc.stderr is not None
        assert "Traceback" not in (await proc.stderr.read()).decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_version_is_printed() -> None:
    from kairos import __version__

    done = await kairos_cli("--version")
    assert done.code == 0 and __version__ in done.out
