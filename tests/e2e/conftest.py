"""What the end-to-end tests share: the ``kairos`` command as a subprocess, and ``kairos serve`` started with
``serve_env`` (a module may override that fixture to add settings) until its health answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers.ports import free_port


def kairos_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def serve_env(tmp_path: Path, db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "KAIROS_DATA_DIR": str(tmp_path),
        "KAIROS_DATABASE_URL": db_url,
        "KAIROS_HOST": "127.0.0.1",
        "KAIROS_PORT": str(free_port()),
        "KAIROS_LOG_LEVEL": "warning",
    }


def start_serve(env: dict[str, str]) -> subprocess.Popen[str]:
    """``kairos serve`` with ``env``, once its health answers (its stderr is kept for the failure message)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kairos.cli.main", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{env['KAIROS_PORT']}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/actuator/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise AssertionError(f"kairos serve exited: {proc.stderr.read() if proc.stderr else ''}")
    proc.kill()
    raise AssertionError("kairos serve did not answer its health check within 60 s")


@pytest.fixture
def server(serve_env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    proc = start_serve(serve_env)
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait(5)
