"""The Host-header allowlist (``KAIROS_ALLOWED_HOSTS``): a request naming a host we do not answer to gets 400.

DNS rebinding points a name the attacker owns (``evil.example``) at 127.0.0.1 or a LAN address; the victim's
browser then sends ``Host: evil.example`` to Kairos with the attacker's page as the same origin. Refusing every
name we were not told about closes that door, while the names a first run uses keep working: ``localhost`` and
its subdomains (browsers resolve ``*.localhost`` to loopback themselves, so DNS cannot rebind them), any IP
literal (rebinding needs a name; a Kubernetes probe sends the pod IP) and the host of ``KAIROS_PUBLIC_URL``.

A pure ASGI middleware installed outermost (``kairos.web.security.install``): pages, API, static files,
health, metrics and the event stream are all behind it, and a refused request never reaches routing."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from kairos.settings import Settings

_BODY = json.dumps(
    {"error": {"code": "host_not_allowed", "message": "this server does not answer to that host name", "field": None}}
).encode()


def host_name(header: str) -> str:
    """The name part of a Host header, lower case, without port or brackets: ``[::1]:8080`` → ``::1``."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    name, _, _port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    return name.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostPolicy:
    """Which Host names this server answers to, built once from the settings."""

    def __init__(self, entries: Iterable[str]) -> None:
        names = {e.strip().lower().rstrip(".") for e in entries if e.strip()}
        self.allow_all = "*" in names
        self.exact = {n for n in names if not n.startswith("*.")} | {"localhost"}
        # "*.example.com" allows the subdomains, not example.com itself (list both when both are used).
        self.suffixes = (*(n[1:] for n in names if n.startswith("*.")), ".localhost")

    @classmethod
    def from_settings(cls, settings: Settings) -> HostPolicy:
        entries = settings.allowed_hosts.replace(",", " ").split()
        public = urlsplit(settings.public_url.strip()).hostname if settings.public_url.strip() else None
        return cls([*entries, *([public] if public else [])])

    def allows(self, header: str | None) -> bool:
        # No Host at all (HTTP/1.0) cannot be a rebinding attack: a browser always sends the name it resolved.
        if header is None or self.allow_all:
            return True
        name = host_name(header)
        return _is_ip(name) or name in self.exact or name.endswith(self.suffixes)


def _host_header(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"host":
            return str(value.decode("latin-1"))
    return None


class AllowedHosts:
    """ASGI middleware: 400 ``host_not_allowed`` for a Host outside :class:`HostPolicy`, before routing.
    ``extra`` allows more names found at run time: the status pages' custom domains (status_domains.py)."""

    def __init__(self, app: ASGIApp, policy: HostPolicy, extra: Callable[[str], Awaitable[bool]] | None = None) -> None:
        self.app = app
        self.policy = policy
        self.extra = extra

    async def _allows(self, header: str | None) -> bool:
        if self.policy.allows(header):
            return True
        return header is not None and self.extra is not None and await self.extra(host_name(header))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not await self._allows(_host_header(scope)):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await _refuse(send)
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_BODY)).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": _BODY})
