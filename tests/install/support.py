"""What the install tests share: a user's environment (nothing lent from the test venv), a served Kairos to
wait for, and a tiny HTTP server on loopback for `kairos check http`."""

from __future__ import annotations

import contextlib
import http.server
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

# Variables that would let the test venv or the source tree leak into a "fresh" install.
_LEAKY = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")
# What pip prints when the index cannot be reached or lacks a package.
_UNREACHABLE = (
    "NewConnectionError",
    "Name or service not known",
    "Temporary failure in name",
    "Max retries exceeded",
    "Network is unreachable",
    "No matching distribution",
)


def user_env(**kairos: str) -> dict[str, str]:
    """The environment a user's shell would have: no KAIROS_* of ours, no Python path tricks (pip's cache stays).
    Keyword arguments become KAIROS_* variables: ``user_env(data_dir="/tmp/x")``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_") and k not in _LEAKY}
    return env | {"PYTHONNOUSERSITE": "1", **{f"KAIROS_{k.upper()}": v for k, v in kairos.items()}}


def run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def pip_failed(what: str, out: subprocess.CompletedProcess[str]) -> None:
    """A failed install is a failure, never a skip: CI must notice a package the index does not have."""
    text = out.stdout + out.stderr
    network = any(sign in text for sign in _UNREACHABLE)
    why = "the package index did not answer or lacks a dependency (this test needs it)" if network else "pip failed"
    pytest.fail(f"{what}: {why}:\n{text[-3000:]}", pytrace=False)


def wait_until_up(url: str, proc: subprocess.Popen[str], timeout: float = 90) -> None:
    """Until /actuator/health says UP; a process that exits first fails with its own stderr."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            pytest.fail(f"the server exited with {proc.returncode}:\n{err[-3000:]}", pytrace=False)
        try:
            r = httpx.get(url + "/actuator/health", timeout=2)
            if r.status_code == 200 and r.json()["status"] == "UP":
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} never reported UP within {timeout:.0f} s", pytrace=False)


def stop(proc: subprocess.Popen[str], timeout: float = 20) -> int:
    """SIGTERM, then wait for the graceful shutdown; kill only what did not stop."""
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        raise


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        pass


@contextlib.contextmanager
def ok_server() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that answers 200 "ok": its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
