"""The README's promise, end to end: `kairos serve` on SQLite, add resources over the API, see them checked,
stop it with SIGTERM and find every result stored."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.history.reader import everything
from tests.e2e.conftest import kairos_cli
from tests.servers.ports import free_port

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


async def test_serve_checks_what_is_added_and_stops_cleanly_on_sigterm(
    server: subprocess.Popen[str], serve_env: dict[str, str]
) -> None:
    key = kairos_cli("apikey", "create", "e2e", env=serve_env).stdout.strip().splitlines()[-1]
    target = await asyncio.start_server(_answer_ok, "127.0.0.1", 0)
    port = target.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{serve_env['KAIROS_PORT']}"
    async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": key}, timeout=10) as client:
        created = await client.post(
            "/api/resources", json={"name": "loopback", "resourceType": "HTTP", "target": f"http://127.0.0.1:{port}/"}
        )
        assert created.status_code == 201, created.text
        rid = created.json()["id"]
        tcp = await client.post(
            "/api/resources", json={"name": "closed", "resourceType": "TCP", "target": f"127.0.0.1:{free_port()}"}
        )
        assert tcp.status_code == 201, tcp.text
        for _ in range(100):
            detail = (await client.get(f"/api/resources/{rid}")).json()
            if detail["currentStatus"] != "unknown":
                break
            await asyncio.sleep(0.05)
        assert detail["currentStatus"] == "available"
        closed = (await client.get(f"/api/resources/{tcp.json()['id']}")).json()
        metrics = (await client.get("/actuator/prometheus")).text
    series = f'kairos_resource_status{{resource_id="{rid}",resource_name="loopback",resource_type="HTTP"}} 1.0'
    assert series in metrics
    server.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status says why it stopped.
    assert server.wait(10) in (0, -signal.SIGTERM)
    target.close()
    assert "Traceback" not in (server.stderr.read() if server.stderr else "")
    assert closed["currentStatus"] in ("not-available", "unknown")
    engine = make_engine(serve_env["KAIROS_DATABASE_URL"])
    try:
        async with make_sessionmaker(engine)() as session:
            stored = {r.resource_id for r in await everything(session)}  # the journal, or closed blocks
    finally:
        await engine.dispose()
    assert rid in stored and tcp.json()["id"] in stored  # written before the process exited


async def _answer_ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


def test_serve_with_an_unreachable_database_says_so_in_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "KAIROS_DATA_DIR": str(tmp_path),
        "KAIROS_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/kairos",
    }
    out = kairos_cli("serve", env=env)
    assert out.returncode == 1
    assert "cannot prepare the database" in out.stderr and "Connection refused" in out.stderr
    assert "Traceback" not in out.stderr
