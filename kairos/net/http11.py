"""One HTTP/1.1 exchange on an open connection, parsed by h11.

Reusable on its own (a registry client sends several requests on one kept-alive connection): give it a
:class:`~kairos.net.connect.Connection`, an ``h11.Connection`` in client role and a request; it returns the
response with a body capped at ``max_body_bytes``. Memory stays bounded by the cap plus one read chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import h11

from kairos.net.connect import Connection
from kairos.net.errors import ConnectionReset, ProtocolError, classify
from kairos.net.timing import BODY, WAIT, Trace

CHUNK = 64 * 1024

Headers = list[tuple[str, str]]


@dataclass(slots=True)
class Response:
    """A response as read from the wire; header names are lower case (h11 normalises them)."""

    status: int
    reason: str
    headers: Headers
    body: bytes
    truncated: bool = False
    http_version: str = "1.1"
    reusable: bool = field(default=False, repr=False)

    def header(self, name: str, default: str | None = None) -> str | None:
        """The first value of header ``name`` (case-insensitive)."""
        wanted = name.lower()
        return next((v for n, v in self.headers if n == wanted), default)

    def header_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [v for n, v in self.headers if n == wanted]


class StaleConnection(ConnectionReset):
    """A kept-alive connection the server had already closed: safe to retry once on a fresh one."""


@dataclass(slots=True)
class _Wire:
    """Feeds h11 from the socket and remembers whether the peer sent anything or hung up."""

    conn: Connection
    proto: h11.Connection
    received: int = 0
    eof: bool = False
    first_bytes: bytes = b""  # kept to show the user what a non-HTTP server said

    async def read_into_parser(self) -> None:
        try:
            data = await self.conn.reader.read(CHUNK)
        except OSError as exc:
            raise classify(exc, where="while reading the response") from None
        if len(self.first_bytes) < 48:
            self.first_bytes = (self.first_bytes + data)[:48]
        self.received += len(data)
        self.eof = not data
        self.proto.receive_data(data)  # b"" tells h11 the peer closed

    async def next_event(self) -> object:
        while True:
            try:
                event = self.proto.next_event()
            except h11.RemoteProtocolError as exc:
                raise self._protocol_failure(exc) from None
            if event is not h11.NEED_DATA:
                return event
            await self.read_into_parser()

    def _protocol_failure(self, exc: h11.RemoteProtocolError) -> Exception:
        # h11 calls an early close a protocol error; for the user it is the server hanging up.
        if self.eof and self.received == 0:
            return ConnectionReset("the server closed the connection without answering")
        if self.eof:
            return ConnectionReset("the server closed the connection before the response was complete")
        # h11's text embeds a bytearray repr; keep its reason and show the start of the answer instead.
        reason = str(exc).split(":", 1)[0].strip() or "invalid response"
        return ProtocolError(
            f"the server did not answer with valid HTTP ({reason}); it began with '{_printable(self.first_bytes)}'"
        )


async def exchange(
    conn: Connection,
    proto: h11.Connection,
    method: str,
    target: str,
    headers: Sequence[tuple[str, str]],
    *,
    body: bytes = b"",
    max_body_bytes: int,
    trace: Trace,
    reused: bool = False,
) -> Response:
    """Send one request and read its response; ``trace`` gets the WAIT (first byte) and BODY phases."""
    wire = _Wire(conn, proto)
    with trace.phase(WAIT):
        try:
            await _send(conn, proto, method, target, headers, body)
            await wire.read_into_parser()
        except ConnectionReset as exc:
            raise (StaleConnection(exc.message) if reused else exc) from None
        if reused and wire.eof and wire.received == 0:
            raise StaleConnection("the kept-alive connection was closed by the server")
    with trace.phase(BODY):
        head = await _read_head(wire)
        data, truncated = await _read_body(wire, max_body_bytes)
    reusable = not truncated and proto.our_state is h11.DONE and proto.their_state is h11.DONE
    if reusable:
        proto.start_next_cycle()
    return Response(
        head.status_code,
        head.reason.decode("latin-1").strip(),
        _decode_headers(head.headers),
        data,
        truncated,
        head.http_version.decode("ascii", "replace"),
        reusable,
    )


async def _send(
    conn: Connection, proto: h11.Connection, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
) -> None:
    all_headers = list(headers)
    if body:
        all_headers.append(("Content-Length", str(len(body))))
    try:
        out = proto.send(h11.Request(method=method, target=target, headers=all_headers)) or b""
        if body:
            out += proto.send(h11.Data(data=body)) or b""
        out += proto.send(h11.EndOfMessage()) or b""
    except h11.LocalProtocolError:
        # Our own input was unusable (a header value with a newline): a caller bug, not a network failure.
        # h11's text quotes the offending value, which may be a secret, so it is not repeated.
        raise ValueError("invalid request: a method, target or header is not allowed in HTTP/1.1") from None
    try:
        conn.writer.write(out)
        await conn.writer.drain()
    except OSError as exc:
        raise classify(exc, where="while sending the request") from None


async def _read_head(wire: _Wire) -> h11.Response:
    while True:
        event = await wire.next_event()
        if isinstance(event, h11.Response):
            return event
        if isinstance(event, h11.InformationalResponse):
            continue  # 100 Continue and friends precede the real answer
        if isinstance(event, h11.ConnectionClosed):
            raise ConnectionReset("the server closed the connection without answering")
        raise ProtocolError(f"unexpected {type(event).__name__} before the response")


async def _read_body(wire: _Wire, limit: int) -> tuple[bytes, bool]:
    """Collect at most ``limit`` bytes; past that, stop reading and report truncation."""
    chunks: list[bytes] = []
    size = 0
    while True:
        event = await wire.next_event()
        if isinstance(event, h11.Data):
            room = limit - size
            if len(event.data) > room:
                chunks.append(bytes(event.data[:room]))
                return b"".join(chunks), True
            chunks.append(bytes(event.data))
            size += len(event.data)
        else:  # EndOfMessage, or the close that ends a body without a length
            return b"".join(chunks), False


def _decode_headers(raw: Sequence[tuple[bytes, bytes]]) -> Headers:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in raw]


def _printable(data: bytes) -> str:
    return "".join(ch if ch.isprintable() else "." for ch in data.decode("latin-1"))
