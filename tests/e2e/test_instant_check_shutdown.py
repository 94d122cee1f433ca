"""SIGTERM does not wait for instant checks: one that would run for 60 s is cancelled within the grace period
(``KAIROS_SHUTDOWN_GRACE_S``), so Kubernetes never has to SIGKILL Kairos for it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time

import httpx
import pytest

from tests.e2e.conftest import kairos_cli
from tests.harness import wait_for

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
GRACE_S = 1.0


@pytest.fixture
def serve_env(serve_env: dict[str, str]) -> dict[str, str]:
    """The shared environment with a short grace period."""
    return {**serve_env, "KAIROS_SHUTDOWN_GRACE_S": str(GRACE_S)}


async def test_sigterm_cancels_a_running_instant_check_within_the_grace(
    server: subprocess.Popen[str], serve_env: dict[str, str]
) -> None:
    key = kairos_cli("apikey", "create", "e2e", env=serve_env).stdout.strip().splitlines()[-1]
    held: list[asyncio.StreamWriter] = []

    async def never_answer(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    silent = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{serve_env['KAIROS_PORT']}"
    async with silent, httpx.AsyncClient(base_url=url, headers={"X-API-Key": key}, timeout=90) as client:
        body = {"resourceType": "HTTP", "target": f"http://127.0.0.1:{port}/", "timeoutSeconds": 60}
        check = asyncio.create_task(client.post("/api/instant-check", json=body))
        await wait_for(lambda: held)  # the check is connected and waiting for an answer
        started = time.monotonic()
        os.kill(server.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(server.wait, 30)
        took = time.monotonic() - started
        check.cancel()
        for writer in held:
            writer.close()
    assert server.returncode is not None, "kairos serve still runs 30 s after SIGTERM"
    assert took < GRACE_S + 4.0, f"kairos serve took {took:.1f} s to stop"
