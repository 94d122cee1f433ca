"""A loopback HTTP target that counts requests and how many run at once, in the test's own loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest


@dataclass
class Target:
    port: int = 0
    hits: dict[str, int] = field(default_factory=dict)
    running: int = 0
    peak: int = 0
    status: int = 200

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode().split("?", 1)[0]
            self.hits[path] = self.hits.get(path, 0) + 1
            self.running += 1
            self.peak = max(self.peak, self.running)
            try:
                if path.startswith("/slow/"):
                    await asyncio.sleep(int(path.rsplit("/", 1)[1]) / 1000)
                if path.startswith("/hang"):
                    await asyncio.sleep(3600)
            finally:
                self.running -= 1
            code = self.status
            writer.write(f"HTTP/1.1 {code} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".encode())
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def target() -> AsyncIterator[Target]:
    t = Target()
    server = await asyncio.start_server(t.handle, "127.0.0.1", 0)
    t.port = server.sockets[0].getsockname()[1]
    yield t
    server.close()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(server.wait_closed(), 1)
