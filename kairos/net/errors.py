"""The one exception tree of ``kairos.net``.

Every failure leaves ``net/`` as a :class:`NetError` with a stable ``code`` (stored on check results and used
by the API) and a one-line human message. The mapping from library errors (OSError, ssl, the HTTP parser,
timeouts) lives here, in one place, most specific first, so callers never see a raw library exception.
"""

from __future__ import annotations

import errno
import socket
import ssl

import httptools

from kairos.net.timing import CONNECT, DNS, PHASE_WORDS, PROXY, Phases
from kairos.net.tls import describe_verify_error


class NetError(Exception):
    """Base of all network failures; ``code`` is stable, ``message`` is one line without secrets."""

    code = "network_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        # The phases measured up to the failure, attached by fetch() and tcp_connect() on the way out.
        self.phases: Phases | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class DnsFailed(NetError):
    code = "dns_failed"


class ConnectRefused(NetError):
    code = "connect_refused"


class ConnectTimeout(NetError):
    code = "connect_timeout"


class NetworkUnreachable(NetError):
    code = "network_unreachable"


class ConnectionReset(NetError):
    code = "connection_reset"


class TlsInvalid(NetError):
    """The certificate did not verify: self-signed, expired, wrong host, unknown issuer."""

    code = "tls_invalid"


class TlsError(NetError):
    """Any other TLS handshake failure (protocol version, cipher mismatch, plain text on a TLS port)."""

    code = "tls_error"


class Timeout(NetError):
    code = "timeout"


class TargetDenied(NetError):
    """The address is in ``KAIROS_DENIED_NETWORKS``: refused before any packet is sent. It is the operator's
    policy, not the target's fault, so probes report it as UNKNOWN (see ``kairos.probes.base``)."""

    code = "target_denied"


class ProxyUnreachable(NetError):
    """The proxy itself cannot be reached (refused, no route, name does not resolve): no verdict on the target."""

    code = "proxy_unreachable"


class ProxyRefused(NetError):
    """The proxy answered but would not connect to the target (HTTP 403/502 on CONNECT, SOCKS "not allowed")."""

    code = "proxy_refused"


class ProxyAuthFailed(NetError):
    """The proxy refused our credentials (HTTP 407, SOCKS5 authentication failure)."""

    code = "proxy_auth_failed"


class ProxyTimeout(NetError):
    """The proxy did not finish the connection (its own connect to the target included) within the deadline."""

    code = "proxy_timeout"


class ProxyUnknown(NetError):
    """A resource names a proxy that is not defined (any more)."""

    code = "proxy_unknown"


class TooManyRedirects(NetError):
    code = "too_many_redirects"


class RedirectInvalid(NetError):
    code = "redirect_invalid"


class ProtocolError(NetError):
    """The server answered with something that is not HTTP/1.x."""

    code = "protocol_error"


# errno values meaning "no route to that address": a missing IPv6 route shows up as EADDRNOTAVAIL.
_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.ENETDOWN, errno.EHOSTDOWN}
_RESET = {errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED}


def classify(exc: BaseException, *, where: str) -> NetError:
    """Turn a library exception raised while doing ``where`` (e.g. "connecting to 10.0.0.1:443") into a
    :class:`NetError`. Order matters: ssl and socket errors are OSError subclasses, so they come first."""
    if isinstance(exc, NetError):
        return exc
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TlsInvalid(f"TLS certificate is not valid: {describe_verify_error(exc)}")
    if isinstance(exc, ssl.SSLError):
        return TlsError(f"TLS handshake failed: {_ssl_reason(exc)}")
    if isinstance(exc, socket.gaierror):
        return DnsFailed(f"DNS lookup failed: {_strip_errno(exc)}")
    if isinstance(exc, ConnectionRefusedError):
        return ConnectRefused(f"connection refused {where}")
    if isinstance(exc, ConnectionError) or (isinstance(exc, OSError) and exc.errno in _RESET):
        return ConnectionReset(f"connection reset by the server {where}")
    if isinstance(exc, TimeoutError) and isinstance(exc, OSError) and exc.errno == errno.ETIMEDOUT:
        return ConnectTimeout(f"connection timed out {where}")
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE:
        return NetworkUnreachable(f"network unreachable {where}")
    if isinstance(exc, httptools.HttpParserError):
        return ProtocolError(f"the server did not speak HTTP/1.x {where}: {_first_line(str(exc))}")
    if isinstance(exc, OSError):
        return NetError(f"network error {where}: {_strip_errno(exc)}")
    return NetError(f"unexpected failure {where}: {type(exc).__name__}")


def deadline_error(phase: str, timeout_s: float) -> NetError:
    """The error for an overall deadline that expired while ``phase`` was running."""
    limit = f"{timeout_s:g} s"
    if phase == DNS:
        return DnsFailed(f"DNS lookup did not finish within {limit}")
    if phase == CONNECT:
        return ConnectTimeout(f"no TCP connection within {limit}")
    if phase == PROXY:
        return ProxyTimeout(f"no connection through the proxy within {limit}")
    return Timeout(f"timed out after {limit} {PHASE_WORDS.get(phase, 'during the request')}")


def _ssl_reason(exc: ssl.SSLError) -> str:
    # ``reason`` is OpenSSL's short name (WRONG_VERSION_NUMBER); the str() carries file/line noise.
    reason = getattr(exc, "reason", None)
    return str(reason).replace("_", " ").lower() if reason else _first_line(str(exc))


def _strip_errno(exc: OSError) -> str:
    return _first_line(exc.strerror or str(exc))


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "no details"
    return line[:200]
