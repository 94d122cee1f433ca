"""The only way Kairos talks to the network.

Every outbound request goes through here, so that all of them keep the same rules: an explicit deadline,
a redirect cap, a response size cap, our User-Agent, a per-resource TLS verification switch, timed phases
(DNS, connect, TLS, first byte, total), the operator's target policy (denied networks, checked on every
resolved address and every redirect hop) and one exception tree with stable codes (:class:`NetError`).
"""

from kairos.net.client import FetchResult, Redirect, Session, fetch
from kairos.net.connect import Connection, open_connection, tcp_connect, tls_handshake
from kairos.net.denylist import OPEN, TargetPolicy, parse_networks
from kairos.net.errors import (
    ConnectionReset,
    ConnectRefused,
    ConnectTimeout,
    DnsFailed,
    NetError,
    NetworkUnreachable,
    ProtocolError,
    RedirectInvalid,
    TargetDenied,
    Timeout,
    TlsError,
    TlsInvalid,
    TooManyRedirects,
)

__all__ = [
    "OPEN",
    "ConnectRefused",
    "ConnectTimeout",
    "Connection",
    "ConnectionReset",
    "DnsFailed",
    "FetchResult",
    "NetError",
    "NetworkUnreachable",
    "ProtocolError",
    "Redirect",
    "RedirectInvalid",
    "Session",
    "TargetDenied",
    "TargetPolicy",
    "Timeout",
    "TlsError",
    "TlsInvalid",
    "TooManyRedirects",
    "fetch",
    "open_connection",
    "parse_networks",
    "tcp_connect",
    "tls_handshake",
]
