"""The proxy table this process's connections obey, built from KAIROS_PROXY_* or the console's settings and the
named proxies, with passwords decrypted; installed into :mod:`kairos.net.proxy` at start and after every edit
(on fleet workers: after every "settings" announcement, with the credentials).

Precedence: when any KAIROS_PROXY_* variable is set, the default proxy and its rules come from the environment
and the console's copy is ignored (the console shows them read-only); otherwise the console's. Named proxies
always come from the database."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kairos.net import proxy
from kairos.net.proxy_rules import EMPTY_TABLE, HostRules, ProxyEndpoint, ProxyTable, parse_proxy_url, parse_rules

if TYPE_CHECKING:  # not at run time: `kairos check` reads the environment's table only and needs no database
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from kairos.crypto import SecretBox
    from kairos.settings import Settings

log = logging.getLogger("kairos.proxy")
SETTING_KEY = "proxy"


@dataclass(frozen=True, slots=True)
class StoredDefault:
    """The console's default proxy as stored (``url`` without the password)."""

    url: str | None = None
    password_enc: bytes | None = None
    include: str = ""
    exclude: str = ""

    def to_json(self) -> dict[str, Any]:
        sealed = base64.b64encode(self.password_enc).decode("ascii") if self.password_enc else None
        return {"url": self.url, "passwordEnc": sealed, "include": self.include, "exclude": self.exclude}


def stored_default(value: Any) -> StoredDefault:
    if not isinstance(value, dict):
        return StoredDefault()
    sealed = value.get("passwordEnc")
    return StoredDefault(
        value.get("url") or None,
        base64.b64decode(sealed) if isinstance(sealed, str) and sealed else None,
        str(value.get("include") or ""),
        str(value.get("exclude") or ""),
    )


async def load_stored_default(session: AsyncSession) -> StoredDefault:
    from kairos.db.models import Setting

    row = await session.get(Setting, SETTING_KEY)
    return stored_default(row.value if row is not None else None)


def _open(box: SecretBox, sealed: bytes | None, what: str) -> str | None:
    if sealed is None:
        return None
    try:
        return box.open(sealed)
    except ValueError:
        log.error("the password of the proxy %s cannot be decrypted (KAIROS_SECRET_KEY changed?)", what)
        return None


def _endpoint(url: str | None, password: str | None, name: str) -> ProxyEndpoint | None:
    if not url:
        return None
    try:
        endpoint = parse_proxy_url(url, name=name)
    except ValueError as exc:  # a hand-edited row must not stop every check
        log.error("the proxy %s is not usable: %s", name, exc)
        return None
    return endpoint if password is None else endpoint.with_password(password)


def _rules_or_none(text: str, what: str) -> HostRules:
    try:
        return parse_rules(text)
    except ValueError as exc:
        log.error("the proxy %s rules are not usable: %s", what, exc)
        return parse_rules("")


def environment_table(settings: Settings) -> ProxyTable:
    """The default proxy of ``KAIROS_PROXY_*`` alone (``kairos check`` on the command line has no database)."""
    url = settings.proxy_url.get_secret_value() if settings.proxy_url is not None else None
    return ProxyTable(
        _endpoint(url, None, "default"),
        _rules_or_none(settings.proxy_include, "include"),
        _rules_or_none(settings.proxy_exclude, "exclude"),
    )


async def build_table(session: AsyncSession, box: SecretBox, settings: Settings) -> ProxyTable:
    from sqlalchemy import select

    from kairos.db.models import NamedProxy

    named: dict[str, ProxyEndpoint] = {}
    for row in (await session.execute(select(NamedProxy))).scalars():
        endpoint = _endpoint(row.url, _open(box, row.password_enc, row.name), row.name)
        if endpoint is not None:
            named[row.name] = endpoint
    if settings.proxy_from_environment:
        url = settings.proxy_url.get_secret_value() if settings.proxy_url is not None else None
        default = _endpoint(url, None, "default")
        include, exclude = settings.proxy_include, settings.proxy_exclude
    else:
        stored = await load_stored_default(session)
        default = _endpoint(stored.url, _open(box, stored.password_enc, "default"), "default")
        include, exclude = stored.include, stored.exclude
    return ProxyTable(
        default, _rules_or_none(include, "include"), _rules_or_none(exclude, "exclude"), MappingProxyType(named)
    )


async def reload_proxies(sessionmaker: async_sessionmaker[AsyncSession], box: SecretBox, settings: Settings) -> None:
    """Read the proxies and make them the ones every new connection of this process obeys."""
    async with sessionmaker() as session:
        table = await build_table(session, box, settings)
    proxy.install(table)


def forget_proxies() -> None:
    """At shutdown: the next application in this process (tests) starts without them."""
    proxy.install(EMPTY_TABLE)
