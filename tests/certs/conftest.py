"""A TLS server on loopback whose certificate the test chooses (and may swap between checks), from a trustme CA
that the process's verifying context trusts, so that verified checks succeed against it."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import trustme

from kairos.net.tls import verifying_context

_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nok"


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    authority = trustme.CA()
    # Only this test CA is added to the cached verifying context: every other certificate stays as untrusted.
    verifying_context().load_verify_locations(cadata=authority.cert_pem.bytes().decode())
    return authority


def server_context(
    ca: trustme.CA, *, days: float, names: tuple[str, ...] = ("127.0.0.1", "localhost")
) -> ssl.SSLContext:
    now = datetime.now(UTC)
    leaf = ca.issue_cert(*names, not_before=now - timedelta(days=30), not_after=now + timedelta(days=days))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(ctx)
    return ctx


@dataclass
class TlsServer:
    """Answers each TLS connection with a tiny HTTP 200 (a TCP check just completes the handshake)."""

    context: ssl.SSLContext
    port: int = 0
    handshakes: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await writer.start_tls(self.context)
            self.handshakes += 1
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            writer.write(_RESPONSE)
            await writer.drain()
        except (OSError, ssl.SSLError, asyncio.IncompleteReadError, TimeoutError):
            pass
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def tls_server(context: ssl.SSLContext) -> AsyncIterator[TlsServer]:
    server = TlsServer(context)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listener.close()
        await listener.wait_closed()
