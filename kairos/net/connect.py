"""Opening a connection, one measured phase at a time: DNS, TCP connect (or the proxy), TLS.

TLS is started on an already connected socket (``StreamWriter.start_tls``) rather than inside the connect,
so that the handshake is a phase of its own. A connection the proxy rules route through a proxy
(:mod:`kairos.net.proxy`) has a ``proxy`` phase instead of ``connect``; TLS then runs end to end through the
tunnel, for plain HTTP targets too (CONNECT for every target: one code path, and the phases stay comparable).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import socket
import ssl
from collections.abc import Awaitable
from dataclasses import dataclass

from kairos.net.denylist import OPEN, TargetPolicy, address_class
from kairos.net.errors import DnsFailed, NetError, TargetDenied, classify, deadline_error
from kairos.net.policy import format_host_port
from kairos.net.proxy import connect_via, route
from kairos.net.proxy_rules import ProxyEndpoint
from kairos.net.timing import CONNECT, DNS, PROXY, TLS, Phases, Trace

_READ_LIMIT = 64 * 1024
# "no such name" and "name has no address" (EAI_NODATA exists on Linux only)
_NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


@dataclass(slots=True)
class Connection:
    """An open stream to one address; ``tls`` tells whether it was upgraded."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    address: str  # the IP address actually connected to (through a proxy: the name or address it was sent)
    tls: bool = False
    proxy: str | None = None  # host:port of the proxy it goes through
    peer_cert: bytes | None = None  # the server's leaf certificate (DER) after TLS, verified or not

    def close(self) -> None:
        """Start a graceful close without waiting for it (the TLS goodbye is not worth a round trip)."""
        self.writer.close()

    async def aclose(self) -> None:
        """Close and wait a little for it, never raising or hanging: the peer may be gone or silent."""
        self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)

    def abort(self) -> None:
        """Drop the connection at once (used when we stop reading an endless body)."""
        self.writer.transport.abort()


async def resolve(host: str, port: int, trace: Trace, policy: TargetPolicy = OPEN) -> list[tuple[int, str]]:
    """Addresses for ``host`` in resolver order, as (family, ip). IP literals skip DNS (recorded as 0 ms).
    Raises :class:`TargetDenied` when any address is in a denied network."""
    literal = _ip_literal(host)
    if literal is not None:
        trace.skip(DNS)
        return _allowed([literal], host, policy)
    loop = asyncio.get_running_loop()
    with trace.phase(DNS):
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            raise _dns_error(host, exc) from None
    addresses: list[tuple[int, str]] = []
    for family, _type, _proto, _name, sockaddr in infos:
        item = (int(family), str(sockaddr[0]))
        if item not in addresses:
            addresses.append(item)
    if not addresses:
        raise DnsFailed(f"DNS lookup for {host} returned no addresses")
    return _allowed(addresses, host, policy)


def _allowed(addresses: list[tuple[int, str]], host: str, policy: TargetPolicy) -> list[tuple[int, str]]:
    """All of ``addresses``, or TargetDenied: one denied address denies the name (a rebinding resolver would
    otherwise mix one in and let the connection fall through to it)."""
    for _family, ip in addresses:
        if policy.denied_network(ip) is not None:
            # The class of address, not the address: a name's resolution is an internal detail.
            verb = "is" if _ip_literal(host) is not None else "resolves to"
            raise TargetDenied(f"{host} {verb} {address_class(ip)}, which the target policy does not allow")
    return addresses


async def open_connection(
    host: str,
    port: int,
    trace: Trace,
    *,
    tls_context: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    policy: TargetPolicy = OPEN,
) -> Connection:
    """Resolve, check the addresses against ``policy``, connect (trying each address in order, by address:
    no second lookup) or go through the proxy the rules choose, and optionally start TLS, timing each phase."""
    proxy = route(policy.proxy, host)
    if proxy is None:
        addresses = await resolve(host, port, trace, policy)
        conn = await _connect_any(addresses, port, trace)
    else:
        conn = await _connect_proxied(proxy, host, port, trace, policy)
    if tls_context is None:
        return conn
    try:
        with trace.phase(TLS):
            await conn.writer.start_tls(tls_context, server_hostname=server_hostname or host)
    except BaseException as exc:
        conn.abort()
        if isinstance(exc, Exception) and not isinstance(exc, TimeoutError):
            raise classify(exc, where=f"during the TLS handshake with {host}") from None
        raise
    conn.tls = True
    conn.peer_cert = _peer_cert(conn)
    return conn


def _peer_cert(conn: Connection) -> bytes | None:
    """The leaf certificate in DER: ``binary_form`` because the parsed form is empty when verification is off
    (skip TLS), and the expiry must be known then too (kairos.probes.certs)."""
    ssl_object = conn.writer.get_extra_info("ssl_object")
    if not isinstance(ssl_object, ssl.SSLObject):
        return None
    return ssl_object.getpeercert(binary_form=True)


async def tcp_connect(host: str, port: int, *, timeout_s: float, policy: TargetPolicy = OPEN) -> tuple[Phases, str]:
    """Resolve and connect within ``timeout_s``, then close at once: the TCP check. Returns the phases
    and the IP address that accepted."""
    trace = Trace()
    conn = await _within(open_connection(host, port, trace, policy=policy), trace, timeout_s)
    conn.close()
    return trace.phases(), conn.address


async def tls_handshake(
    host: str, port: int, *, timeout_s: float, tls_context: ssl.SSLContext, policy: TargetPolicy = OPEN
) -> tuple[Phases, str, bytes | None]:
    """Connect and complete a TLS handshake (SNI and the verified name: ``host``), then close: the TCP check
    with ``tls: true``. Returns the phases, the address and the leaf certificate (DER)."""
    trace = Trace()
    opening = open_connection(host, port, trace, tls_context=tls_context, policy=policy)
    conn = await _within(opening, trace, timeout_s)
    conn.close()
    return trace.phases(), conn.address, conn.peer_cert


async def _within(opening: Awaitable[Connection], trace: Trace, timeout_s: float) -> Connection:
    """``opening`` bounded by ``timeout_s``; a failure carries the phases measured up to it."""
    try:
        async with asyncio.timeout(timeout_s):
            return await opening
    except TimeoutError:
        error = deadline_error(trace.current, timeout_s)
        error.phases = trace.phases()
        raise error from None
    except NetError as exc:
        exc.phases = trace.phases()
        raise


async def _connect_any(addresses: list[tuple[int, str]], port: int, trace: Trace) -> Connection:
    """Try the addresses one after the other; the first error is reported when all fail, because the
    resolver's first choice is the address a user expects to be used."""
    first_error: NetError | None = None
    with trace.phase(CONNECT):
        for _family, ip in addresses:
            try:
                reader, writer = await asyncio.open_connection(ip, port, limit=_READ_LIMIT)
            except OSError as exc:
                error = classify(exc, where=f"connecting to {format_host_port(ip, port)}")
                first_error = first_error or error
                continue
            return Connection(reader, writer, ip)
    assert first_error is not None  # resolve() never returns an empty list
    if len(addresses) > 1:
        first_error.message += f" (tried {len(addresses)} addresses)"
        first_error.args = (first_error.message,)
    raise first_error


async def _connect_proxied(
    proxy: ProxyEndpoint, host: str, port: int, trace: Trace, policy: TargetPolicy
) -> Connection:
    """Through ``proxy``. With denied networks the name is resolved and checked here, and the proxy is sent the
    checked address: a proxy resolving the name itself could reach a denied network. Without, the proxy resolves
    (behind a proxy many names only resolve there) and no DNS phase is recorded."""
    destination = host
    if policy.denied:
        destination = (await resolve(host, port, trace, policy))[0][1]
    with trace.phase(PROXY):
        sock = await connect_via(proxy, destination, port)
    try:
        reader, writer = await asyncio.open_connection(sock=sock, limit=_READ_LIMIT)
    except BaseException:
        sock.close()
        raise
    return Connection(reader, writer, destination, proxy=proxy.address)


# Asked on every check of a resource and on every policy verdict; the answer never changes for a string.
@functools.lru_cache(maxsize=16384)
def _ip_literal(host: str) -> tuple[int, str] | None:
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    return (int(family), host)


def _dns_error(host: str, exc: OSError) -> NetError:
    if isinstance(exc, socket.gaierror) and exc.errno in _NO_SUCH_NAME:
        return DnsFailed(f"DNS lookup failed: {host} does not exist")
    if isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_AGAIN:
        return DnsFailed(f"DNS lookup for {host} failed temporarily (resolver did not answer)")
    reason = exc.strerror or type(exc).__name__
    return DnsFailed(f"DNS lookup for {host} failed: {reason}")
