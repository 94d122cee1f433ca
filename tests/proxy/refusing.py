"""A proxy that follows the protocols to the letter and says no: pproxy closes the connection on a wrong SOCKS5
password or a blocked host, which python-socks cannot tell apart, so the precise replies of RFC 1928/1929 and
of HTTP CONNECT are tested against this loopback server too."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass
class Refuser:
    """``socks_auth``: refuse every SOCKS5 password; ``socks_reply``: then answer CONNECT with this code;
    ``http_status``: answer every HTTP CONNECT with this status."""

    socks_auth: bool = False
    socks_reply: int = 2
    http_status: int = 403
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            first = await reader.readexactly(1)
            if first == b"\x05":
                await self._socks(reader, writer)
            else:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(f"HTTP/1.1 {self.http_status} No\r\nContent-Length: 0\r\n\r\n".encode())
                await writer.drain()
        writer.close()

    async def _socks(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        methods = await reader.readexactly((await reader.readexactly(1))[0])
        if b"\x02" in methods:
            writer.write(b"\x05\x02")
            await reader.readexactly(1)
            await reader.readexactly((await reader.readexactly(1))[0])
            await reader.readexactly((await reader.readexactly(1))[0])
            if self.socks_auth:
                writer.write(b"\x01\x01")  # RFC 1929: failure
                await writer.drain()
                return
            writer.write(b"\x01\x00")
        else:
            writer.write(b"\x05\x00")
        head = await reader.readexactly(4)
        length = {1: 4, 4: 16}.get(head[3]) or (await reader.readexactly(1))[0]
        await reader.readexactly(length + 2)
        writer.write(bytes([5, self.socks_reply, 0, 1, 0, 0, 0, 0, 0, 0]))
        await writer.drain()


@contextlib.asynccontextmanager
async def refusing(**options: int | bool) -> AsyncIterator[Refuser]:
    refuser = Refuser(**options)  # type: ignore[arg-type]
    server = await asyncio.start_server(refuser.handle, "127.0.0.1", 0)
    refuser.port = server.sockets[0].getsockname()[1]
    async with server:
        yield refuser
