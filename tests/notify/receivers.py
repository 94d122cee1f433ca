"""Real loopback receivers for notification tests: an HTTP server taking JSON POSTs (the plain webhook and
Apprise's ``json://``) and an SMTP server (aiosmtpd) for Apprise's ``mailto://``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from tests.servers.ports import free_port


@dataclass
class Hook:
    """Records every POSTed JSON body; answers ``status`` (set it to 503 to play a down channel)."""

    port: int = 0
    status: int = 200
    bodies: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def events(self) -> list[dict[str, Any]]:
        """Events of the JSON webhook's bodies (Apprise's json:// bodies have none)."""
        return [e for b in self.bodies for e in b.get("events", [])]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, ValueError):
            request_line = (await reader.readline()).decode("latin-1").split()
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode("latin-1").strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status = self.status
            if status == 200 and len(request_line) > 1:
                self.paths.append(request_line[1])
                self.bodies.append(json.loads(body) if body else {})
            writer.write(
                f"HTTP/1.1 {status} {'OK' if status == 200 else 'Unavailable'}\r\n"
                "Content-Length: 2\r\nConnection: close\r\n\r\nok".encode()
            )
            await writer.drain()
        writer.close()


@contextlib.asynccontextmanager
async def hook_server() -> AsyncIterator[Hook]:
    hook = Hook()
    server = await asyncio.start_server(hook.handle, "127.0.0.1", 0)
    hook.port = server.sockets[0].getsockname()[1]
    try:
        yield hook
    finally:
        server.close()
        await server.wait_closed()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # the name aiosmtpd calls
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@dataclass
class Smtp:
    port: int
    inbox: _Inbox

    def url(self) -> str:
        # Plain SMTP on a custom port: Apprise's mode=insecure (no STARTTLS), no login.
        return f"mailto://127.0.0.1:{self.port}?from=kairos@example.com&to=ops@example.com&mode=insecure"


@contextlib.contextmanager
def smtp_server() -> Any:
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Smtp(port, inbox)
    finally:
        controller.stop()
