"""One HTTP/1.1 exchange on an open connection: the request written here, the response parsed by httptools.

Reusable on its own (a registry client sends several requests on one kept-alive connection): give it a
:class:`~kairos.net.connect.Connection` and a request made by :func:`request_bytes` (before connecting, so
that a request HTTP/1.1 cannot carry never opens a connection); it returns the response with a body capped at
``max_body_bytes``. Memory stays bounded by the cap plus one read chunk, and the status line with the
headers by :data:`MAX_HEAD`.

The parser is httptools (llhttp, the parser of Node.js, in C; already our dependency for uvicorn). It replaced
h11, whose state machine and per-event validation cost about 45 µs of CPU per check against llhttp's 3 µs,
the largest share of a monitor's GET after the socket calls (issue 17, docs/benchmarks.md). The request is
a few lines of text that we validate ourselves, as h11 did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import httptools

from kairos.net.connect import Connection
from kairos.net.errors import ConnectionReset, ProtocolError, classify
from kairos.net.timing import BODY, WAIT, Trace

CHUNK = 64 * 1024
MAX_HEAD = 64 * 1024  # status line and headers (informational answers included), as h11's buffer limit was

Headers = list[tuple[str, str]]

# RFC 9110 token (method, header name) and field value: visible ASCII with inner spaces and tabs. The request
# target comes from kairos.net.policy, already percent-encoded; it is checked all the same.
_TOKEN = re.compile(r"[-!#$%&'*+.^_`|~0-9a-zA-Z]+")
_VALUE = re.compile(r"(?:[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*)?")
_TARGET = re.compile(r"[\x21-\x7e]+")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_INVALID_REQUEST = "invalid request: a method, target or header is not allowed in HTTP/1.1"


@dataclass(slots=True)
class Response:
    """A response as read from the wire; header names are lower case."""

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


class _Stop(Exception):
    """Raised inside a parser callback to stop llhttp where we have what we need (httptools wraps it)."""


class _Reader:
    """The callbacks httptools calls while it parses one response (after any 1xx answers)."""

    __slots__ = (
        "_limit",
        "_parser",
        "_reason",
        "_size",
        "_stopped",
        "body",
        "complete",
        "extra",
        "framed",
        "head_done",
        "head_only",
        "headers",
        "keep_alive",
        "status",
        "truncated",
        "version",
    )

    def __init__(self, limit: int, head_only: bool) -> None:
        self._limit = limit
        self._parser = httptools.HttpResponseParser(self)
        self._parser.set_dangerous_leniencies(lenient_optional_cr_before_lf=True)  # bare LF, as h11 took it
        self._reason = b""
        self._size = 0
        self._stopped = False
        self.head_only = head_only  # HEAD: the answer has no body whatever its Content-Length says
        self.body: list[bytes] = []
        self.headers: Headers = []
        self.head_done = False  # the final (non-1xx) status line and headers are in
        self.complete = False  # the whole final response is in
        self.extra = False  # bytes arrived after it: the connection is not reused
        self.framed = False  # Content-Length or chunked; otherwise the body runs to the close
        self.keep_alive = False
        self.truncated = False
        self.status = 0
        self.version = "1.1"

    # -- httptools callbacks ------------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self.head_done:  # a second answer to one request
            self.extra = True
            self._stop()
        self._reason, self.headers, self.framed = b"", [], False

    def on_status(self, data: bytes) -> None:
        self._reason += data  # may come in pieces when the status line spans two reads

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1").strip()
        if key == "content-length" or (key == "transfer-encoding" and text.lower().endswith("chunked")):
            self.framed = True
        self.headers.append((key, text))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if status < 200:
            return  # 100 Continue and friends precede the real answer; llhttp reads them as bodiless messages
        self.status, self.version, self.head_done = status, self._parser.get_http_version(), True
        if self.head_only:
            # llhttp cannot be told the request was HEAD, and would wait for Content-Length bytes.
            self.complete, self.keep_alive = True, self._parser.should_keep_alive()
            self._stop()

    def on_body(self, data: bytes) -> None:
        room = self._limit - self._size
        if len(data) > room:
            self.body.append(data[:room])
            self.truncated = True
            self._stop()
        self.body.append(data)
        self._size += len(data)

    def on_message_complete(self) -> None:
        if self.head_done:
            self.complete = True
            self.keep_alive = self._parser.should_keep_alive()

    def _stop(self) -> None:
        self._stopped = True
        raise _Stop

    # -- feeding ------------------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Parse ``data``; raises :class:`ProtocolError` (``reason``) on what is not HTTP/1.x."""
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            raise ProtocolError("the server switched protocols (101) although none was asked for") from None
        except httptools.HttpParserError as exc:
            if self._stopped:
                return
            if self.complete:  # garbage after a whole answer: ignore it, but never reuse the connection
                self.extra = True
                return
            raise _BadHttp(_first_line(str(exc))) from None

    def end(self) -> None:
        """The peer closed; a body without a length ends here, any other unfinished answer is cut short."""
        if self.head_done and not self.complete and not self.framed:
            self.complete = True
            self.keep_alive = False

    def reason(self) -> str:
        return self._reason.decode("latin-1").strip()


class _BadHttp(Exception):
    """llhttp refused the bytes; turned into a ProtocolError that shows what the server said."""


@dataclass(slots=True)
class _Wire:
    """Reads from the socket into the parser and remembers whether the peer sent anything or hung up."""

    conn: Connection
    reader: _Reader
    received: int = 0
    eof: bool = False
    first_bytes: bytes = b""  # kept to show the user what a non-HTTP server said
    pending: bytes = b""  # read during the WAIT phase, parsed in the BODY phase

    async def read(self) -> None:
        try:
            data = await self.conn.reader.read(CHUNK)
        except OSError as exc:
            raise classify(exc, where="while reading the response") from None
        if len(self.first_bytes) < 48:
            self.first_bytes = (self.first_bytes + data)[:48]
        self.received += len(data)
        self.eof = not data
        self.pending = data

    async def read_response(self) -> None:
        """Parse until the answer is complete, truncated, or the peer closes."""
        reader = self.reader
        while True:
            data, self.pending = self.pending, b""
            if data:
                try:
                    reader.feed(data)
                except _BadHttp as exc:
                    raise self._not_http(str(exc)) from None
                if reader.complete or reader.truncated:
                    return
                if not reader.head_done and self.received > MAX_HEAD:
                    raise self._not_http(f"status line and headers longer than {MAX_HEAD // 1024} KB")
            elif self.eof:
                reader.end()
                if reader.complete:
                    return
                raise self._cut_short()
            await self.read()

    def _cut_short(self) -> ConnectionReset:
        if self.received == 0:
            return ConnectionReset("the server closed the connection without answering")
        return ConnectionReset("the server closed the connection before the response was complete")

    def _not_http(self, reason: str) -> ProtocolError:
        return ProtocolError(
            f"the server did not answer with valid HTTP ({reason}); it began with '{_printable(self.first_bytes)}'"
        )


async def exchange(
    conn: Connection,
    request: bytes,
    *,
    head_only: bool,
    max_body_bytes: int,
    trace: Trace,
    reused: bool = False,
) -> Response:
    """Send ``request`` (from :func:`request_bytes`) and read the answer, which has no body when ``head_only``
    (a HEAD request); ``trace`` gets the WAIT (first byte) and BODY phases."""
    wire = _Wire(conn, _Reader(max_body_bytes, head_only))
    with trace.phase(WAIT):
        try:
            await _send(conn, request)
            await wire.read()
        except ConnectionReset as exc:
            raise (StaleConnection(exc.message) if reused else exc) from None
        if reused and wire.eof and wire.received == 0:
            raise StaleConnection("the kept-alive connection was closed by the server")
    with trace.phase(BODY):
        await wire.read_response()
    reader = wire.reader
    return Response(
        reader.status,
        reader.reason(),
        reader.headers,
        b"".join(reader.body),
        reader.truncated,
        reader.version,
        reader.complete and reader.keep_alive and not reader.extra and not reader.truncated,
    )


def request_bytes(method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes = b"") -> bytes:
    """The request as sent. Raises ``ValueError`` for what HTTP/1.1 cannot carry (a header value with a
    newline): a caller bug, not a network failure. The value is not quoted, since it may be a secret."""
    if not _TOKEN.fullmatch(method) or not _TARGET.fullmatch(target):
        raise ValueError(_INVALID_REQUEST)
    lines = [f"{method} {target} HTTP/1.1"]
    for name, value in headers:
        value = value.strip(" \t")
        if not _TOKEN.fullmatch(name) or not _VALUE.fullmatch(value):
            raise ValueError(_INVALID_REQUEST)
        lines.append(f"{name}: {value}")
    if body or method in _BODY_METHODS:  # RFC 9110 §8.6: a POST without a body still says it has none
        lines.append(f"Content-Length: {len(body)}")
    lines += ("", "")
    return "\r\n".join(lines).encode("ascii") + body  # the patterns above admit ASCII only


async def _send(conn: Connection, data: bytes) -> None:
    try:
        conn.writer.write(data)
        await conn.writer.drain()
    except OSError as exc:
        raise classify(exc, where="while sending the request") from None


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "invalid response"
    return line[:120]


def _printable(data: bytes) -> str:
    return "".join(ch if ch.isprintable() else "." for ch in data.decode("latin-1"))
