"""Which outbound connections go through a proxy: proxy URLs, host rules and the per-resource choice.

- A proxy is ``http://[user:pass@]host:port`` (HTTP CONNECT) or ``socks5://[user:pass@]host:port``.
- Rules are comma-separated host patterns and CIDRs: ``db.example.com`` (that host), ``*.corp.example.com``
  (every name below it, not the name itself), ``.corp.example.com`` (the name and every name below it),
  ``10.0.0.0/8`` (targets written as an address in that network), ``*`` (everything). Names are matched by
  name only: Kairos does not resolve a name to pick a route, since behind a proxy many names only resolve there.
- The default route uses the default proxy for a host that the include rules match (empty: every host) and the
  exclude rules do not (exclude wins). A resource may instead go ``direct`` or through a named proxy.

This module is pure (no I/O); :mod:`kairos.net.proxy` opens the connections.
"""

from __future__ import annotations

import fnmatch
import functools
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal
from urllib.parse import unquote, urlsplit

from kairos.net.denylist import IpNetwork

DIRECT = "direct"  # a resource's choice: never through a proxy
DEFAULT = "default"  # a resource's choice spelled out: the default rules (stored as null)
RESERVED_NAMES = frozenset({DIRECT, DEFAULT})
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
_PATTERN = re.compile(r"^\.?[a-z0-9*_.-]{1,253}$")
MAX_RULES = 200

ProxyScheme = Literal["http", "socks5"]


@dataclass(frozen=True, slots=True)
class ProxyEndpoint:
    """One proxy; ``password`` stays out of repr() and of every message (``shown`` has no password)."""

    scheme: ProxyScheme
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    name: str = DEFAULT

    @property
    def shown(self) -> str:
        """The proxy for messages and pages: scheme, user and address, never the password."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{user}{host}:{self.port}"

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def with_password(self, password: str | None) -> ProxyEndpoint:
        return ProxyEndpoint(self.scheme, self.host, self.port, self.username, password, self.name)

    def named(self, name: str) -> ProxyEndpoint:
        return ProxyEndpoint(self.scheme, self.host, self.port, self.username, self.password, name)


def parse_proxy_url(text: str, *, name: str = DEFAULT) -> ProxyEndpoint:
    """``http://user:pass@proxy:3128`` → a :class:`ProxyEndpoint`; ``ValueError`` says what is wrong and
    never repeats the URL (it may hold a password)."""
    text = text.strip()
    if len(text) > 2048:
        raise ValueError("proxy URL is longer than 2048 characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise ValueError("proxy URL contains whitespace or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError("proxy URL is not valid; expected http://host:port or socks5://host:port") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "socks5"):
        raise ValueError("proxy URL must start with http:// (HTTP CONNECT) or socks5://")
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("proxy URL has no host")
    if port is None:
        raise ValueError("proxy URL has no port, e.g. http://proxy.example.com:3128")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("proxy URL must not have a path, query or fragment")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise ValueError("proxy URL has a password without a user name")
    return ProxyEndpoint("http" if scheme == "http" else "socks5", host, port, username, password, name)


@dataclass(frozen=True, slots=True)
class HostRules:
    """Host patterns (exact or with ``*``) and networks; empty matches nothing."""

    exact: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()  # ".example.com": the name and every name below it
    wildcards: tuple[str, ...] = ()  # fnmatch patterns
    networks: tuple[IpNetwork, ...] = ()
    text: str = ""  # as given, normalised (for pages and the API)

    def __bool__(self) -> bool:
        return bool(self.exact or self.suffixes or self.wildcards or self.networks)

    def matches(self, host: str) -> bool:
        return _matches(self, host.lower().rstrip("."))


@functools.lru_cache(maxsize=16384)
def _matches(rules: HostRules, host: str) -> bool:
    """Cached: the same few thousand targets are asked about every interval."""
    ip = _ip(host)
    if ip is not None and any(ip.version == net.version and ip in net for net in rules.networks):
        return True
    if host in rules.exact:
        return True
    if any(host == s[1:] or host.endswith(s) for s in rules.suffixes):
        return True
    return any(fnmatch.fnmatchcase(host, w) for w in rules.wildcards)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def parse_rules(value: str | Iterable[str]) -> HostRules:
    """``"*.corp.example.com, 10.0.0.0/8"`` (or a list of items) → rules; ``ValueError`` names the bad item."""
    items = value.split(",") if isinstance(value, str) else list(value)
    cleaned = [item.strip().lower() for item in items if item.strip()]
    if len(cleaned) > MAX_RULES:
        raise ValueError(f"at most {MAX_RULES} rules")
    exact: set[str] = set()
    suffixes: list[str] = []
    wildcards: list[str] = []
    networks: list[IpNetwork] = []
    for item in cleaned:
        if "/" in item or _ip(item) is not None:
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=True))
            except ValueError as exc:
                raise ValueError(f"'{item[:60]}' is not a network in CIDR notation ({exc})") from None
        elif not _PATTERN.fullmatch(item):
            raise ValueError(f"'{item[:60]}' is not a host pattern (letters, digits, '-', '.', '_' and '*')")
        elif "*" in item:
            wildcards.append(item)
        elif item.startswith("."):
            suffixes.append(item)
        else:
            exact.add(item.rstrip("."))
    return HostRules(frozenset(exact), tuple(suffixes), tuple(wildcards), tuple(networks), ", ".join(cleaned))


NO_RULES = HostRules()


@dataclass(frozen=True, slots=True)
class ProxyTable:
    """The proxies this process knows: the default one with its rules, and the named ones."""

    default: ProxyEndpoint | None = None
    include: HostRules = NO_RULES
    exclude: HostRules = NO_RULES
    named: Mapping[str, ProxyEndpoint] = field(default_factory=lambda: MappingProxyType({}))

    def choose(self, choice: str | None, host: str) -> ProxyEndpoint | str | None:
        """The proxy for a connection to ``host`` under a resource's ``choice`` (None: the default rules), or
        None for a direct connection, or the unknown name (str) when ``choice`` names no proxy."""
        if choice is None or choice == DEFAULT:
            return self.by_rules(host)
        if choice == DIRECT:
            return None
        return self.named.get(choice, choice)

    def by_rules(self, host: str) -> ProxyEndpoint | None:
        if self.default is None:
            return None
        if self.include and not self.include.matches(host):
            return None
        if self.exclude and self.exclude.matches(host):
            return None
        return self.default


EMPTY_TABLE = ProxyTable()
