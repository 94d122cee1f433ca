"""Slow clients against a real ``kairos serve``: a request head must arrive within
KAIROS_REQUEST_HEADER_TIMEOUT_S, or the connection is closed; normal and kept-alive requests are untouched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers.ports import free_port

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

TIMEOUT_S = 1.0
SLACK_S = 3.0
GET = b"GET /actuator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture
def port(tmp_path: Path, db_url: str) -> Iterator[int]:
    port = free_port()
    env = {
        **os.environ,
        "KAIROS_DATA_DIR": str(tmp_path),
        "KAIROS_DATABASE_URL": db_url,
        "KAIROS_HOST": "127.0.0.1",
        "KAIROS_PORT": str(port),
        "KAIROS_LOG_LEVEL": "warning",
        "KAIROS_REQUEST_HEADER_TIMEOUT_S": str(TIMEOUT_S),
    }
    proc = subprocess.Popen([sys.executable, "-m", "kairos.cli.main", "serve"], env=env, stderr=subprocess.PIPE)
    try:
        _wait_until_up(proc, port)
        yield port
    finally:
        proc.terminate()
        proc.wait(15)


def _wait_until_up(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/actuator/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise AssertionError(f"kairos serve exited: {proc.stderr.read() if proc.stderr else ''!r}")
    raise AssertionError("kairos serve did not come up")


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S + SLACK_S)


def _closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closed the connection (EOF or reset); fails when it is still open after that."""
    start = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(f"the connection was still open after {seconds} s") from None
    return time.monotonic() - start


def _response(sock: socket.socket) -> bytes:
    """One response to GET /actuator/health (small, with Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    length = int(next(line.split(b":")[1] for line in lines if line.startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(4096)
    return head


def test_half_a_request_line_is_closed_after_the_timeout(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"GET /actuator/hea")
        assert _closed_within(sock, TIMEOUT_S + SLACK_S) >= TIMEOUT_S * 0.8


def test_a_connection_that_sends_nothing_is_closed(port: int) -> None:
    with _connect(port) as sock:
        _closed_within(sock, TIMEOUT_S + SLACK_S)


def test_headers_dribbled_one_line_at_a_time_are_cut_off(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"GET /actuator/health HTTP/1.1\r\n")
        try:
            for i in range(int((TIMEOUT_S + SLACK_S) / 0.25)):
                sock.sendall(b"X-Slow-%d: 1\r\n" % i)
                time.sleep(0.25)
        except (BrokenPipeError, ConnectionResetError):
            return  # closed while we were still dribbling
        _closed_within(sock, 1.0)


def test_a_normal_request_and_keep_alive_still_work(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(GET[:10])
        time.sleep(TIMEOUT_S / 4)
        sock.sendall(GET[10:])
        assert b" 200 " in _response(sock)
        time.sleep(TIMEOUT_S / 2)  # idle, under uvicorn's keep-alive timeout
        sock.sendall(GET)
        assert b" 200 " in _response(sock)
        time.sleep(TIMEOUT_S * 0.8)  # together more than one timeout since the connection opened
        sock.sendall(GET)
        assert b" 200 " in _response(sock)


def test_a_long_response_is_not_cut_off(port: int) -> None:
    """The deadline covers the request head only: the event stream outlives it."""
    with _connect(port) as sock:
        sock.sendall(b"GET /api/resources/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(TIMEOUT_S + SLACK_S)
        assert b" 200 " in sock.recv(4096)
        time.sleep(TIMEOUT_S + 0.5)
        sock.setblocking(False)
        try:
            assert sock.recv(4096) != b""  # a keep-alive comment, or nothing yet: not closed
        except BlockingIOError:
            pass
