"""Kairos' HTTP/1.1 client: asyncio streams, httptools (llhttp) for parsing, every phase timed.

Measured against httpx and aiohttp this is the cheapest per request (no SSL context per client, no
middleware), and owning the connection is what lets us time DNS, connect, TLS and first byte separately.

- :func:`fetch` is the one-shot call the probes use (``Connection: close``, redirects, deadline).
- :class:`Session` keeps one kept-alive connection per origin for callers that send several requests to
  the same hosts (the registry client); ``Session.fetch`` has the same contract as :func:`fetch`.
- :func:`kairos.net.http11.exchange` is the bare "one request on one connection" step.

Every failure is a :class:`~kairos.net.errors.NetError`; an invalid *initial* URL is a ``ValueError``.
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urljoin

from kairos.net.connect import Connection, open_connection
from kairos.net.denylist import OPEN, TargetPolicy
from kairos.net.errors import NetError, RedirectInvalid, TooManyRedirects, deadline_error
from kairos.net.http11 import Headers, Response, StaleConnection, exchange, request_bytes
from kairos.net.policy import HttpTarget, parse_http_url
from kairos.net.timing import Phases, Trace
from kairos.net.tls import context_for

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# Set by the client itself; a caller's value would break framing or the connection handling.
_RESERVED_HEADERS = frozenset({"host", "connection", "content-length", "transfer-encoding"})
# Safe to send again when a kept-alive connection turns out to be closed.
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Never carried to another origin after a redirect.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})

BasicAuth = tuple[str, str]
AuthFor = Callable[[str], BasicAuth | None]
HeaderInput = Mapping[str, str] | Sequence[tuple[str, str]] | None


@dataclass(frozen=True, slots=True)
class Redirect:
    status: int
    url: str  # the URL that answered with the redirect
    location: str  # where it sent us (absolute)


@dataclass(slots=True)
class FetchResult:
    """The final response of a fetch; ``phases`` are those of the final request, ``total_ms`` of it all."""

    url: str
    status: int
    reason: str
    headers: Headers
    body: bytes
    truncated: bool
    redirects: list[Redirect] = field(default_factory=list)
    phases: Phases = field(default_factory=Phases)
    address: str = ""  # IP address of the server that gave the final answer
    http_version: str = "1.1"
    peer_cert: bytes | None = None  # the final server's leaf certificate (DER) when it spoke TLS

    def header(self, name: str, default: str | None = None) -> str | None:
        wanted = name.lower()
        return next((v for n, v in self.headers if n == wanted), default)

    def text(self) -> str:
        """The body decoded with the declared charset (UTF-8 when none or unusable), bad bytes replaced."""
        try:
            return self.body.decode(_charset(self.header("content-type")), errors="replace")
        except (UnicodeError, ValueError):  # a text codec that still cannot take these bytes
            return self.body.decode("utf-8", errors="replace")


class Session:
    """Keeps one connection per (scheme, host, port) alive between requests, within one probe.

    Not meant to live long: create it for a check, close it at the end (``async with``)."""

    def __init__(
        self,
        *,
        user_agent: str,
        max_body_bytes: int,
        verify_tls: bool = True,
        ca_context: ssl.SSLContext | None = None,
        keep_alive: bool = True,
        policy: TargetPolicy = OPEN,
    ) -> None:
        self.user_agent = user_agent
        self.policy = policy  # checked on every connection this session opens, redirects included
        self.max_body_bytes = max_body_bytes
        self.tls_context = context_for(verify_tls, ca_context)
        self.keep_alive = keep_alive
        self._pool: dict[tuple[str, str, int], Connection] = {}
        # The leaf certificate each TLS origin showed, in the order first met (kairos.probes.certs reads them).
        self.peer_certs: dict[tuple[str, str, int], bytes] = {}

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        pooled, self._pool = list(self._pool.values()), {}
        for conn in pooled:
            await conn.aclose()

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: HeaderInput = None,
        timeout_s: float,
        max_redirects: int = 10,
        follow_redirects: bool = True,
        auth: BasicAuth | None = None,
        auth_for: AuthFor | None = None,
        headers_cross_origin: bool = True,
        body: bytes = b"",
    ) -> FetchResult:
        """Request ``url``, following redirects, all within ``timeout_s`` seconds. On a redirect to another
        origin, ``headers`` are dropped unless ``headers_cross_origin`` (Authorization and Cookie always are).
        ``body`` goes with the request, and with a redirect that keeps the method (307, 308); one that turns
        it into GET (303, or 301/302 after POST) drops the body and its Content-Type (RFC 9110 §15.4)."""
        start = parse_http_url(url)
        trace = Trace()
        try:
            async with asyncio.timeout(timeout_s):
                return await self._follow(
                    start,
                    method.upper(),
                    _header_list(headers),
                    trace,
                    max_redirects if follow_redirects else None,
                    auth,
                    auth_for,
                    headers_cross_origin,
                    body,
                )
        except TimeoutError:
            error = deadline_error(trace.current, timeout_s)
            error.phases = trace.phases()
            raise error from None
        except NetError as exc:
            exc.phases = trace.phases()
            raise

    async def request(
        self,
        method: str,
        target: HttpTarget,
        headers: Sequence[tuple[str, str]],
        *,
        trace: Trace,
        body: bytes = b"",
        auth: BasicAuth | None = None,
    ) -> tuple[Response, str]:
        """One request, no redirects, no deadline (the caller sets one). Returns the response and the IP."""
        trace.new_hop()
        request = request_bytes(method, target.target, self._headers(target, headers, auth), body)
        pooled = self._pool.pop(target.origin, None)
        if pooled is not None:
            try:
                return await self._exchange(pooled, method, target, request, trace, reused=True)
            except StaleConnection:
                if method not in _IDEMPOTENT:
                    raise  # the server may have acted on it before hanging up: never send it twice
                trace.new_hop()  # the server dropped the idle connection: one fresh attempt
        conn = await open_connection(
            target.host,
            target.port,
            trace,
            tls_context=self.tls_context if target.scheme == "https" else None,
            policy=self.policy,
        )
        if conn.peer_cert is not None:
            self.peer_certs[target.origin] = conn.peer_cert
        return await self._exchange(conn, method, target, request, trace, reused=False)

    async def _exchange(
        self,
        conn: Connection,
        method: str,
        target: HttpTarget,
        request: bytes,
        trace: Trace,
        *,
        reused: bool,
    ) -> tuple[Response, str]:
        try:
            response = await exchange(
                conn,
                request,
                head_only=method == "HEAD",
                max_body_bytes=self.max_body_bytes,
                trace=trace,
                reused=reused,
            )
        except BaseException:
            conn.abort()  # state unknown after a failure or a cancellation: never reuse it
            raise
        if self.keep_alive and response.reusable:
            previous = self._pool.pop(target.origin, None)
            self._pool[target.origin] = conn
            if previous is not None:
                previous.close()
        elif response.truncated:
            conn.abort()  # the rest of an endless body is not worth a graceful close
        else:
            conn.close()
        return response, conn.address

    def _headers(self, target: HttpTarget, extra: Sequence[tuple[str, str]], auth: BasicAuth | None) -> Headers:
        given = [(n, v) for n, v in extra if n.lower() not in _RESERVED_HEADERS]
        names = {n.lower() for n, _ in given}
        out: Headers = [("Host", target.host_header)]
        defaults = [("User-Agent", self.user_agent), ("Accept", "*/*"), ("Accept-Encoding", "identity")]
        out += [(n, v) for n, v in defaults if n.lower() not in names]
        out += given
        if auth is not None and "authorization" not in names:
            out.append(("Authorization", basic_auth_header(*auth)))
        out.append(("Connection", "keep-alive" if self.keep_alive else "close"))
        return out

    async def _follow(
        self,
        current: HttpTarget,
        method: str,
        headers: Headers,
        trace: Trace,
        max_redirects: int | None,
        auth: BasicAuth | None,
        auth_for: AuthFor | None,
        headers_cross_origin: bool,
        body: bytes = b"",
    ) -> FetchResult:
        first_origin = current.origin
        redirects: list[Redirect] = []
        seen = {current.url}
        while True:
            same_origin = current.origin == first_origin
            hop_headers = headers if same_origin else _cross_origin(headers, keep=headers_cross_origin)
            creds = auth if (auth is not None and same_origin) else _lookup(auth_for, current.url)
            response, address = await self.request(method, current, hop_headers, trace=trace, auth=creds, body=body)
            if max_redirects is None or response.status not in REDIRECT_CODES:
                return FetchResult(
                    current.url,
                    response.status,
                    response.reason,
                    response.headers,
                    response.body,
                    response.truncated,
                    redirects,
                    trace.phases(),
                    address,
                    response.http_version,
                    self.peer_certs.get(current.origin),
                )
            nxt = _redirect_target(current, response)
            redirects.append(Redirect(response.status, current.url, nxt.url))
            if len(redirects) > max_redirects:
                raise TooManyRedirects(f"more than {max_redirects} redirects, stopped at {current.url}")
            if nxt.url in seen:
                raise TooManyRedirects(f"redirect loop: {current.url} sends back to {nxt.url}")
            seen.add(nxt.url)
            after = _method_after_redirect(response.status, method)
            if after != method:  # now a GET (or HEAD stays HEAD): the body and its type stay behind
                body, headers = b"", [(n, v) for n, v in headers if n.lower() != "content-type"]
            method, current = after, nxt


async def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: HeaderInput = None,
    timeout_s: float,
    verify_tls: bool = True,
    max_redirects: int = 10,
    max_body_bytes: int,
    user_agent: str,
    auth: BasicAuth | None = None,
    auth_for: AuthFor | None = None,
    follow_redirects: bool = True,
    ca_context: ssl.SSLContext | None = None,
    policy: TargetPolicy = OPEN,
    headers_cross_origin: bool = True,
    body: bytes = b"",
) -> FetchResult:
    """Request ``url`` (GET, HEAD, or any method with ``body``) on fresh connections, following redirects,
    bounded by ``timeout_s``.

    ``auth`` is sent only to the origin of ``url``; on other origins ``auth_for(url)`` decides. The body is
    read up to ``max_body_bytes`` (then ``truncated`` is set). Raises :class:`NetError` or, for an invalid
    ``url``, ``ValueError``; a denied address (``policy``) is :class:`~kairos.net.errors.TargetDenied`."""
    async with Session(
        user_agent=user_agent,
        max_body_bytes=max_body_bytes,
        verify_tls=verify_tls,
        ca_context=ca_context,
        keep_alive=False,
        policy=policy,
    ) as session:
        return await session.fetch(
            url,
            method=method,
            headers=headers,
            timeout_s=timeout_s,
            max_redirects=max_redirects,
            follow_redirects=follow_redirects,
            auth=auth,
            auth_for=auth_for,
            headers_cross_origin=headers_cross_origin,
            body=body,
        )


def basic_auth_header(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def _cross_origin(headers: Headers, *, keep: bool) -> Headers:
    """The caller's headers for a hop on another origin: none (a resource's headers often carry tokens), or
    with ``keep`` all but the credentials (the registry's Accept and Range must reach blob storage)."""
    if not keep:
        return []
    return [(n, v) for n, v in headers if n.lower() not in _SECRET_HEADERS]


def _lookup(auth_for: AuthFor | None, url: str) -> BasicAuth | None:
    return auth_for(url) if auth_for is not None else None


def _redirect_target(current: HttpTarget, response: Response) -> HttpTarget:
    location = response.header("location")
    if not location or not location.strip():
        raise RedirectInvalid(f"HTTP {response.status} redirect from {current.url} has no Location header")
    try:
        return parse_http_url(urljoin(current.url, location.strip()))
    except ValueError as exc:
        raise RedirectInvalid(f"redirect from {current.url} to an unusable URL: {exc}") from None


def _method_after_redirect(status: int, method: str) -> str:
    # 303 always means "GET the other resource" (HEAD stays HEAD); 301/302 turn POST into GET as every browser
    # does (RFC 9110 §15.4.2-3 allows it); 307/308 keep the method and the body.
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        return "GET"
    return method


def _header_list(headers: HeaderInput) -> Headers:
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(n), str(v)) for n, v in items]


def _charset(content_type: str | None) -> str:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip().strip('"')
            try:
                info = codecs.lookup(charset)
            except LookupError:
                break
            # Only real text encodings: "idna", "rot13", "base64" and friends are codecs too, and decoding a
            # body with them fails (or means nothing). A server's odd label falls back to UTF-8.
            if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_BODY_CODECS:
                break
            return charset
    return "utf-8"


# Text codecs by Python's flag that still cannot decode an arbitrary body.
_NOT_BODY_CODECS = frozenset({"idna", "punycode", "raw-unicode-escape", "unicode-escape", "undefined"})
