"""Outbound proxies an admin edits: the default proxy with its rules (unless KAIROS_PROXY_* manage it) and the
named proxies a resource may choose. Passwords are write-only and sealed with the runtime's box; every change
reloads the table the checks obey (:mod:`kairos.proxies`) and tells a fleet's workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.proxies import (
    DefaultProxyPublic,
    DefaultProxyUpdate,
    NamedProxyCreate,
    NamedProxyPublic,
    NamedProxyUpdate,
    ProxiesPublic,
)
from kairos.crypto import SecretBox
from kairos.db.models import NamedProxy, Resource, Setting
from kairos.errors import Conflict, Invalid, NotFound
from kairos.naming import natural_sorted
from kairos.net.proxy_rules import DEFAULT, DIRECT, parse_proxy_url, parse_rules
from kairos.proxies import SETTING_KEY, StoredDefault, load_stored_default, reload_proxies

if TYPE_CHECKING:
    from kairos.runtime import Runtime

WHAT = "proxy"


def _split(url: str, password: str | None, box: SecretBox, kept: bytes | None) -> tuple[str, bytes | None]:
    """(the URL without its password, the sealed password): a password in the URL or ``password`` (not both);
    neither keeps ``kept``, an empty ``password`` removes it."""
    endpoint = parse_proxy_url(url)
    if endpoint.password is not None and password is not None:
        raise Invalid("give the password in the URL or in 'password', not in both", field="password")
    given = endpoint.password if endpoint.password is not None else password
    if given is not None and not endpoint.username:
        raise Invalid("a proxy password needs a user name in the URL (http://user@host:port)", field="password")
    sealed = kept if given is None else (box.seal(given) if given else None)
    return endpoint.shown, sealed if endpoint.username else None


def _default_public(runtime: Runtime, stored: StoredDefault) -> DefaultProxyPublic:
    s = runtime.settings
    if s.proxy_from_environment:
        url = parse_proxy_url(s.proxy_url.get_secret_value()) if s.proxy_url is not None else None
        return DefaultProxyPublic(
            url=url.shown if url else None,
            has_password=bool(url and url.password),
            include=parse_rules(s.proxy_include).text,
            exclude=parse_rules(s.proxy_exclude).text,
            managed_by="environment",
        )
    return DefaultProxyPublic(
        url=stored.url,
        has_password=stored.password_enc is not None,
        include=stored.include,
        exclude=stored.exclude,
        managed_by="console",
    )


def named_public(row: NamedProxy) -> NamedProxyPublic:
    return NamedProxyPublic(
        name=row.name,
        url=row.url,
        has_password=row.password_enc is not None,
        description=row.description or "",
        created_at=row.created_at,
    )


async def list_proxies(session: AsyncSession, runtime: Runtime) -> ProxiesPublic:
    rows = natural_sorted((await session.execute(select(NamedProxy))).scalars(), lambda p: p.name)
    default = _default_public(runtime, await load_stored_default(session))
    return ProxiesPublic(default=default, named=[named_public(r) for r in rows])


async def _changed(runtime: Runtime) -> None:
    await reload_proxies(runtime.sessionmaker, runtime.box, runtime.settings)
    await runtime.scheduler.caches_changed()  # a fleet's workers reload them with the credentials


async def set_default(session: AsyncSession, runtime: Runtime, body: DefaultProxyUpdate) -> DefaultProxyPublic:
    if runtime.settings.proxy_from_environment:
        raise Conflict(
            "the default proxy is set by KAIROS_PROXY_URL, KAIROS_PROXY_INCLUDE or KAIROS_PROXY_EXCLUDE; "
            "change it there",
            code="proxy_from_environment",
        )
    stored = await load_stored_default(session)
    url, sealed = None, None
    if body.url is not None:
        url, sealed = _split(body.url, body.password, runtime.box, stored.password_enc)
    elif body.password:
        raise Invalid("a password needs a proxy URL", field="password")
    new = StoredDefault(url, sealed, body.include, body.exclude)
    row = await session.get(Setting, SETTING_KEY)
    if row is None:
        session.add(Setting(key=SETTING_KEY, value=new.to_json()))
    else:
        row.value = new.to_json()
    await session.commit()
    await _changed(runtime)
    return _default_public(runtime, new)


async def _named(session: AsyncSession, name: str) -> NamedProxy:
    row = (await session.execute(select(NamedProxy).where(NamedProxy.name == name))).scalar_one_or_none()
    if row is None:
        raise NotFound.of(WHAT)
    return row


async def get_named(session: AsyncSession, name: str) -> NamedProxyPublic:
    return named_public(await _named(session, name))


async def create_named(session: AsyncSession, runtime: Runtime, body: NamedProxyCreate) -> NamedProxyPublic:
    taken = await session.scalar(select(func.count()).select_from(NamedProxy).where(NamedProxy.name == body.name))
    if taken:
        raise Conflict(f"a proxy named '{body.name}' exists", field="name")
    url, sealed = _split(body.url, body.password, runtime.box, None)
    row = NamedProxy(name=body.name, url=url, password_enc=sealed, description=body.description or "")
    session.add(row)
    await session.commit()
    await _changed(runtime)
    return named_public(row)


async def update_named(session: AsyncSession, runtime: Runtime, name: str, body: NamedProxyUpdate) -> NamedProxyPublic:
    """Fields left out keep their value (``password`` left out keeps the stored one)."""
    row = await _named(session, name)
    given = body.model_fields_set
    if "url" in given or "password" in given:
        row.url, row.password_enc = _split(body.url or row.url, body.password, runtime.box, row.password_enc)
    if "description" in given:
        row.description = body.description or ""
    await session.commit()
    await _changed(runtime)
    return named_public(row)


async def delete_named(session: AsyncSession, runtime: Runtime, name: str) -> None:
    """Refused while a resource goes through it: its checks would all fail with ``proxy_unknown``."""
    row = await _named(session, name)
    users = await session.scalar(select(func.count()).select_from(Resource).where(Resource.proxy == name))
    if users:
        raise Conflict(f"{users} resource(s) go through the proxy '{name}'; change them first", code="proxy_in_use")
    await session.delete(row)
    await session.commit()
    await _changed(runtime)


async def check_choice(session: AsyncSession, choice: str | None) -> str | None:
    """A resource's ``proxy`` as stored: None for the default rules ("default" too), "direct", or the name of
    a named proxy that exists (else ``Invalid`` on the field ``proxy``)."""
    if choice is None or choice == DEFAULT:
        return None
    if choice == DIRECT:
        return DIRECT
    found = await session.scalar(select(func.count()).select_from(NamedProxy).where(NamedProxy.name == choice))
    if not found:
        raise Invalid(
            f"no proxy is named '{choice[:64]}'; use 'default', 'direct' or the name of a defined proxy",
            field="proxy",
        )
    return choice
