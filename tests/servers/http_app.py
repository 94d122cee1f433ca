"""Loopback servers for the net and probe tests, run in a background thread with their own event loop.

One small HTTP/1.1 app (hand-written, so that it can also misbehave on purpose) is served on two plain
ports (two origins), and over TLS with a valid, an expired, a wrong-host and a self-signed certificate.
Beside it: an IPv6 listener, a closed port, a listener that accepts and never answers, and one whose
accept queue is full so that connecting hangs.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import socket
import ssl
import struct
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.servers.certs import CertFiles, TestPki, make_pki

BASIC_USER, BASIC_PASSWORD = "alice", "s3cret"
TEXT_BODY = "<html><body>Kairos says hello</body></html>"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: list[tuple[str, str]]
    conn_id: int

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    @property
    def keep_alive(self) -> bool:
        return (self.header("connection") or "").lower() != "close"


Writer = asyncio.StreamWriter
Handler = Callable[[Request, Writer], Awaitable[bool]]  # returns whether the connection may stay open


async def respond(
    req: Request, w: Writer, status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None
) -> bool:
    lines = [
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
        f"Content-Length: {len(body)}",
        f"Connection: {'keep-alive' if req.keep_alive else 'close'}",
    ]
    lines += [f"{n}: {v}" for n, v in headers or []]
    w.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if req.method == "HEAD" else body))
    await w.drain()
    return req.keep_alive


async def status(req: Request, w: Writer) -> bool:
    code = int(req.path.rsplit("/", 1)[1])
    return await respond(req, w, code, f"status {code}".encode())


async def slow(req: Request, w: Writer) -> bool:
    await asyncio.sleep(min(int(req.query.get("ms", "1000")), 30_000) / 1000)
    return await respond(req, w, 200, b"finally")


async def redirect(req: Request, w: Writer) -> bool:
    n = int(req.path.rsplit("/", 1)[1])
    location = f"/redirect/{n - 1}" if n > 1 else "/status/200"
    return await respond(req, w, 302, headers=[("Location", location)])


async def redirect_to(req: Request, w: Writer) -> bool:
    code = int(req.query.get("status", "302"))
    return await respond(req, w, code, headers=[("Location", req.query["url"])])


async def redirect_loop(req: Request, w: Writer) -> bool:
    return await respond(req, w, 301, headers=[("Location", "/redirect-loop")])


async def no_location(req: Request, w: Writer) -> bool:
    return await respond(req, w, 302)


async def echo_headers(req: Request, w: Writer) -> bool:
    body = json.dumps({"method": req.method, "headers": req.headers}).encode()
    return await respond(req, w, 200, body, [("Content-Type", "application/json")])


async def basic(req: Request, w: Writer) -> bool:
    expected = base64.b64encode(f"{BASIC_USER}:{BASIC_PASSWORD}".encode()).decode()
    if req.header("authorization") == f"Basic {expected}":
        return await respond(req, w, 200, b"welcome alice")
    return await respond(req, w, 401, b"who are you", [("WWW-Authenticate", 'Basic realm="test"')])


async def text(req: Request, w: Writer) -> bool:
    return await respond(req, w, 200, TEXT_BODY.encode(), [("Content-Type", "text/html; charset=utf-8")])


async def conn(req: Request, w: Writer) -> bool:
    return await respond(req, w, 200, str(req.conn_id).encode())


async def huge(req: Request, w: Writer) -> bool:
    """An endless body (no length, ended by close), streamed until the client goes away."""
    w.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
    chunk = b"x" * 65536
    for _ in range(16384):  # a hard stop at 1 GiB, in case a client never stops reading
        w.write(chunk)
        await w.drain()
    return False


async def trickle(req: Request, w: Writer) -> bool:
    """Announces a big body and sends one byte at a time, slowly."""
    w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
    for _ in range(3000):
        w.write(b"x")
        await w.drain()
        await asyncio.sleep(0.02)
    return False


async def reset(req: Request, w: Writer) -> bool:
    """Close with a TCP RST instead of answering (SO_LINGER with a zero timeout)."""
    w.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    w.transport.abort()
    return False


async def close(req: Request, w: Writer) -> bool:
    return False  # a plain close (FIN) without a word


async def bye(req: Request, w: Writer) -> bool:
    """Promises keep-alive, then closes anyway: what a server does when an idle connection times out."""
    await respond(req, w, 200, b"bye")
    return False


async def garbage(req: Request, w: Writer) -> bool:
    w.write(b"\x00\xffSSH-2.0-NotHttp this is not a status line\r\n\r\n")
    await w.drain()
    return False


ROUTES: dict[str, Handler] = {
    "/slow": slow,
    "/redirect-to": redirect_to,
    "/redirect-loop": redirect_loop,
    "/no-location": no_location,
    "/headers": echo_headers,
    "/basic": basic,
    "/text": text,
    "/conn": conn,
    "/huge": huge,
    "/trickle": trickle,
    "/reset": reset,
    "/close": close,
    "/garbage": garbage,
    "/bye": bye,
}
PREFIX_ROUTES: dict[str, Handler] = {"/status/": status, "/redirect/": redirect}


def _route(path: str) -> Handler | None:
    if path in ROUTES:
        return ROUTES[path]
    return next((h for prefix, h in PREFIX_ROUTES.items() if path.startswith(prefix)), None)


def _parse(head: bytes, conn_id: int) -> Request:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    parts = urlsplit(target)
    headers = [(n.strip(), v.strip()) for n, _, v in (line.partition(":") for line in lines[1:] if line)]
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return Request(method, parts.path, query, headers, conn_id)


_conn_ids = itertools.count(1)


async def serve_http(reader: asyncio.StreamReader, writer: Writer) -> None:
    conn_id = next(_conn_ids)
    try:
        keep_alive = True
        while keep_alive:
            req = _parse((await reader.readuntil(b"\r\n\r\n"))[:-4], conn_id)
            handler = _route(req.path)
            if handler is None:
                keep_alive = await respond(req, writer, 404, b"no such route")
            else:
                keep_alive = await handler(req, writer)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ssl.SSLError, ValueError):
        pass  # the client left, or sent something unparsable: either way the conversation is over
    finally:
        writer.close()


async def serve_silently(reader: asyncio.StreamReader, writer: Writer) -> None:
    """Accept and say nothing; the client must give up on its own."""
    with contextlib.suppress(Exception):
        await reader.read()  # returns when the client leaves
    writer.close()


async def serve_banner(reader: asyncio.StreamReader, writer: Writer) -> None:
    """Speaks first, in plain text, like an SMTP or SSH server: a TLS client gets a handshake error."""
    writer.write(b"220 hello, this is not TLS\r\n")
    with contextlib.suppress(Exception):
        await writer.drain()
    writer.close()


@dataclass
class Servers:
    http: str  # base URL, e.g. http://127.0.0.1:41000
    http_other: str  # the same app on another port: another origin
    https: str  # certificate issued by the test CA (trust it with ca_context)
    https_expired: str
    https_wrong_host: str
    https_self_signed: str
    ca_context: ssl.SSLContext
    pki: TestPki
    http_port: int
    ipv6_port: int | None  # a listener on [::1], None when this machine has no IPv6 loopback
    closed_port: int
    silent_port: int
    banner_port: int
    full_backlog_port: int
    _blockers: list[socket.socket] = field(default_factory=list, repr=False)


def _server_tls(files: CertFiles) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(files.cert, files.key)
    return ctx


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _full_backlog() -> tuple[int, list[socket.socket]]:
    """A listener with a backlog of 0 that never accepts, plus one client filling its queue: Linux then
    drops further SYNs, so a connect neither succeeds nor fails until the client gives up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    filler = socket.create_connection(listener.getsockname(), timeout=2)
    return int(listener.getsockname()[1]), [listener, filler]


class LoopbackServers:
    """Starts every server on a private event loop in a daemon thread; ``stop()`` ends them all."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(lambda loop, context: None)  # failed handshakes are expected
        self._thread = threading.Thread(target=self._loop.run_forever, name="loopback-servers", daemon=True)
        self._servers: list[asyncio.Server] = []
        self.info: Servers | None = None

    def start(self) -> Servers:
        self._thread.start()
        self.info = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        return self.info

    def stop(self) -> None:
        async def shutdown() -> None:
            for server in self._servers:
                server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        for sock in self.info._blockers if self.info else []:
            sock.close()

    async def _listen(
        self, handler: Callable[..., Awaitable[None]], host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
    ) -> int:
        server = await asyncio.start_server(handler, host, 0, ssl=tls)
        self._servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    async def _start(self) -> Servers:
        pki = make_pki(self._folder)
        base = "http://127.0.0.1:{}".format
        secure = "https://127.0.0.1:{}".format
        http_port = await self._listen(serve_http)
        backlog_port, blockers = _full_backlog()
        return Servers(
            http=base(http_port),
            http_other=base(await self._listen(serve_http)),
            https=secure(await self._listen(serve_http, tls=_server_tls(pki.valid))),
            https_expired=secure(await self._listen(serve_http, tls=_server_tls(pki.expired))),
            https_wrong_host=secure(await self._listen(serve_http, tls=_server_tls(pki.wrong_host))),
            https_self_signed=secure(await self._listen(serve_http, tls=_server_tls(pki.self_signed))),
            ca_context=ssl.create_default_context(cadata=pki.ca_pem),
            pki=pki,
            http_port=http_port,
            ipv6_port=await self._ipv6_listener(),
            closed_port=_closed_port(),
            silent_port=await self._listen(serve_silently),
            banner_port=await self._listen(serve_banner),
            full_backlog_port=backlog_port,
            _blockers=blockers,
        )

    async def _ipv6_listener(self) -> int | None:
        try:
            return await self._listen(serve_http, host="::1")
        except OSError:
            return None


@contextlib.contextmanager
def loopback_servers(folder: Path) -> Iterator[Servers]:
    servers = LoopbackServers(folder)
    try:
        yield servers.start()
    finally:
        servers.stop()
