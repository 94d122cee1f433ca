"""Connecting through a proxy (HTTP CONNECT or SOCKS5), with python-socks doing the handshakes.

The process has one installed :class:`ProxyTable` (the default proxy, its rules and the named proxies), put
there by whoever owns the configuration (:mod:`kairos.proxies`, at start and after every edit). It is a module
value rather than an argument because every outbound connection must obey it, including those of callers that
know nothing about proxies (discovery listings, webhooks); a resource's own choice travels in its
:class:`~kairos.net.denylist.TargetPolicy`. With no default proxy and no choice, asking costs two comparisons.

Every failure is a :class:`~kairos.net.errors.NetError` naming the proxy by address, never by password.
"""

from __future__ import annotations

import errno
import socket

from python_socks import ProxyConnectionError, ProxyError, ProxyTimeoutError, ProxyType
from python_socks.async_.asyncio import Proxy

from kairos.net.errors import (
    ConnectRefused,
    ConnectTimeout,
    NetError,
    NetworkUnreachable,
    ProxyAuthFailed,
    ProxyRefused,
    ProxyTimeout,
    ProxyUnknown,
    ProxyUnreachable,
)
from kairos.net.policy import format_host_port
from kairos.net.proxy_rules import EMPTY_TABLE, ProxyEndpoint, ProxyTable

_installed: ProxyTable = EMPTY_TABLE
# python-socks' own deadline; the caller's (the check's) deadline is always the shorter one.
_HANDSHAKE_LIMIT_S = 600.0
_SOCKS_REPLIES = {
    1: "general SOCKS server failure",
    2: "connection not allowed by ruleset",
    3: "network unreachable",
    4: "host unreachable",
    5: "connection refused",
    6: "TTL expired",
    7: "command not supported",
    8: "address type not supported",
}


def install(table: ProxyTable) -> None:
    """Make ``table`` the one every new connection of this process obeys."""
    global _installed
    _installed = table


def installed() -> ProxyTable:
    return _installed


def route(choice: str | None, host: str) -> ProxyEndpoint | None:
    """The proxy for a connection to ``host`` (None: direct). Raises :class:`ProxyUnknown` when ``choice``
    names a proxy that does not exist (deleted since the resource was saved)."""
    table = _installed
    if choice is None and table.default is None:
        return None  # the common case, first and cheap: no default proxy, no per-resource choice
    chosen = table.choose(choice, host)
    if isinstance(chosen, str):
        raise ProxyUnknown(f"the proxy named '{chosen[:64]}' is not defined")
    return chosen


async def connect_via(proxy: ProxyEndpoint, host: str, port: int) -> socket.socket:
    """A connected socket to ``host:port`` through ``proxy`` (the proxy resolves a name). No deadline of its own:
    the caller's ``asyncio.timeout`` bounds it (see :func:`kairos.net.errors.deadline_error`)."""
    kind = ProxyType.HTTP if proxy.scheme == "http" else ProxyType.SOCKS5
    client = Proxy(kind, proxy.host, proxy.port, proxy.username, proxy.password, rdns=True)
    try:
        return await client.connect(host, port, timeout=_HANDSHAKE_LIMIT_S)
    except ProxyConnectionError as exc:
        raise _unreachable(proxy, exc) from None
    except ProxyTimeoutError:
        raise ProxyTimeout(f"the proxy {proxy.address} did not answer") from None
    except ProxyError as exc:
        raise _reply_error(proxy, exc, format_host_port(host, port)) from None
    except OSError as exc:  # the connection to the proxy broke during the handshake
        raise ProxyRefused(f"the proxy {proxy.address} closed the connection ({exc.strerror or 'reset'})") from None


def _unreachable(proxy: ProxyEndpoint, exc: ProxyConnectionError) -> NetError:
    cause = exc.__cause__
    if exc.errno == errno.ECONNREFUSED or isinstance(cause, ConnectionRefusedError):
        return ProxyUnreachable(f"the proxy {proxy.address} refused the connection (is it running?)")
    if isinstance(cause, socket.gaierror):
        return ProxyUnreachable(f"the proxy's name {proxy.host} does not resolve")
    reason = getattr(cause, "strerror", None) or "network error"
    return ProxyUnreachable(f"cannot connect to the proxy {proxy.address}: {reason}")


def _reply_error(proxy: ProxyEndpoint, exc: ProxyError, target: str) -> NetError:
    """The proxy answered the handshake with a refusal. HTTP proxies give a status; SOCKS5 a reply code, or
    an authentication failure without one."""
    code, text = exc.error_code, str(exc)
    if proxy.scheme == "http":
        if code == 407:
            return ProxyAuthFailed(f"the proxy {proxy.address} refused the credentials (HTTP 407)")
        if code is not None:
            shown = "".join(ch for ch in text if ch.isprintable())[:80]
            return ProxyRefused(f"the proxy {proxy.address} refused the connection to {target}: HTTP {shown}")
        return ProxyRefused(f"the proxy {proxy.address} closed the connection to {target} without an answer")
    if code is None:
        if "authentication" in text.lower():
            return ProxyAuthFailed(f"the SOCKS proxy {proxy.address} refused the credentials")
        return ProxyRefused(f"the SOCKS proxy {proxy.address} failed the handshake for {target}")
    reply = _SOCKS_REPLIES.get(code, f"reply {code}")
    where = f"connecting to {target} (reported by the proxy {proxy.address})"
    if code == 5:
        return ConnectRefused(f"connection refused {where}")
    if code in (3, 4):
        return NetworkUnreachable(f"{reply} {where}")
    if code == 6:
        return ConnectTimeout(f"connection timed out {where}")
    return ProxyRefused(f"the SOCKS proxy {proxy.address} refused the connection to {target}: {reply}")
