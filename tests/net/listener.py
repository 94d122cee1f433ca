"""A loopback HTTP listener for target-policy tests: counts connections, remembers request headers, and
answers 200 or redirects to ``location``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


@dataclass
class Listener:
    """A loopback HTTP server that counts connections and answers 200, or redirects to ``location``."""

    host: str
    location: str | None = None
    connections: int = 0
    port: int = 0
    seen_headers: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.port}/"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await reader.readline()
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode("latin-1").strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            self.seen_headers.append(headers)
            if self.location is None:
                head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                body = b"ok"
            else:
                head = f"HTTP/1.1 302 Found\r\nLocation: {self.location}\r\nContent-Length: 0\r\n"
                body = b""
            writer.write((head + "Connection: close\r\n\r\n").encode() + body)
            await writer.drain()
        writer.close()


@contextlib.asynccontextmanager
async def listening(host: str = "127.0.0.1", location: str | None = None) -> AsyncIterator[Listener]:
    listener = Listener(host, location)
    server = await asyncio.start_server(listener.handle, host, 0)
    listener.port = server.sockets[0].getsockname()[1]
    async with server:
        yield listener
