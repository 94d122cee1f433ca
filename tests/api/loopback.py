"""A tiny loopback HTTP target of our own, so API and CLI tests do not depend on the probe tests' servers.

Paths: ``/fail`` answers 500, ``/auth`` answers 200 only with Basic ``probe:probe-secret`` (401 otherwise),
anything else 200."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

GOOD_BASIC = "Basic " + base64.b64encode(b"probe:probe-secret").decode()
_REASONS = {200: "OK", 401: "Unauthorized", 500: "Internal Server Error"}


@dataclass
class Target:
    base: str  # http://127.0.0.1:PORT

    def url(self, path: str = "/") -> str:
        return self.base + path


def _status_for(path: str, headers: dict[str, str]) -> int:
    if path.startswith("/fail"):
        return 500
    if path.startswith("/auth"):
        return 200 if headers.get("authorization") == GOOD_BASIC else 401
    return 200


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, ValueError):
        request_line = (await reader.readline()).decode("latin-1")
        headers: dict[str, str] = {}
        while (line := (await reader.readline()).decode("latin-1").strip()) != "":
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        parts = request_line.split()
        status = _status_for(parts[1] if len(parts) > 1 else "/", headers)
        body = b"ok\n"
        writer.write(
            f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
    writer.close()


@pytest.fixture(scope="session")
async def target() -> AsyncIterator[Target]:
    server = await asyncio.start_server(_handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield Target(f"http://127.0.0.1:{port}")


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound once to pick it, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
