"""Comparing a document with the database and applying it: every write in ONE transaction.

``apply_document`` changes the session; the caller commits (or, for a dry run, rolls back). Any invalid item
raises ``ConfigError`` before the commit, so a refused document changes nothing. Objects are matched by name;
with ``prune``, objects of a section the document lists but which it does not name are deleted (resources found
by discovery are never touched: their source owns them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.config_as_code import v1
from kairos.config_as_code.changes import Plan, by_name, differ, kept_secrets, open_sealed
from kairos.config_as_code.headers import resolve_headers
from kairos.config_as_code.maintenance_plan import apply_maintenance
from kairos.config_as_code.notify_plan import apply_notifications
from kairos.config_as_code.source import Document
from kairos.config_as_code.status_pages_plan import apply_status_pages
from kairos.crypto import SecretBox
from kairos.db.models import (
    Announcement,
    Credential,
    DiscoverySource,
    GroupMember,
    Resource,
    ResourceGroup,
    ResourceTypeSettings,
)
from kairos.errors import Invalid
from kairos.scheduler.catalog import load_type_settings
from kairos.services.announcement_html import render_content
from kairos.services.discovery_sources import check_source
from kairos.services.resources import check_options, check_target
from kairos.services.tags import sync_tags


async def apply_document(session: AsyncSession, doc: Document, box: SecretBox, *, prune: bool = False) -> Plan:
    plan = Plan()
    cfg = doc.config
    present = cfg.model_fields_set
    await _types(session, cfg, plan)
    creds = await _credentials(session, doc, box, plan, prune and "credentials" in present)
    groups = await _groups(session, doc, plan, prune and "groups" in present)
    await _resources(session, doc, plan, creds, groups, prune and "resources" in present)
    await _discovery(session, doc, box, plan, prune and "discovery_sources" in present)
    await _announcements(session, cfg, plan, prune and "announcements" in present)
    await apply_status_pages(session, doc, plan, prune and "status_pages" in present)
    await apply_maintenance(session, doc, plan, prune and "maintenance" in present)
    await apply_notifications(session, doc, box, plan, prune)
    await session.flush()
    plan.kept = kept_secrets(doc)
    return plan


async def _types(session: AsyncSession, cfg: v1.KairosConfig, plan: Plan) -> None:
    current = await load_type_settings(session)
    for item in cfg.resource_types:
        now = current[item.resource_type]
        row = await session.get(ResourceTypeSettings, item.resource_type)
        if row is None:
            row = ResourceTypeSettings(kind=item.resource_type, **vars_of(now))
            session.add(row)
        given = {
            "interval_s": item.interval_seconds, "parallelism": item.parallelism, "timeout_s": item.timeout_seconds,
            "outage_threshold": item.outage_threshold, "recovery_threshold": item.recovery_threshold,
            "quorum": item.quorum,
        }  # fmt: skip
        changed = differ(row, {k: v for k, v in given.items() if v is not None})
        if changed:
            plan.add("resourceTypes", item.resource_type, "update", changed)
            plan.types_changed = True


def vars_of(t: Any) -> dict[str, Any]:
    return {
        k: getattr(t, k)
        for k in ("interval_s", "parallelism", "timeout_s", "outage_threshold", "recovery_threshold", "quorum")
    }


async def _credentials(
    session: AsyncSession, doc: Document, box: SecretBox, plan: Plan, prune: bool
) -> dict[str, Credential]:
    items = doc.config.credentials
    rows = list((await session.execute(select(Credential).order_by(Credential.id))).scalars())
    known = by_name(rows, doc, "credentials", {i.name for i in items})
    for i, item in enumerate(items):
        row = known.get(item.name)
        stored = None if row is None else open_sealed(box, row.secret_enc)
        secret = doc.secret(("credentials", i, "secret"), item.secret, ("CREDENTIAL", item.name, stored))
        wanted = {"pattern": item.pattern, "username": item.username, "description": item.description}
        if row is None:
            row = known[item.name] = Credential(name=item.name, secret_enc=box.seal(secret), **wanted)
            session.add(row)
            plan.add("credentials", item.name, "create")
            plan.credentials_changed = True
            continue
        changed = differ(row, wanted)
        if stored != secret:
            row.secret_enc = box.seal(secret)
            changed.append("secret")
        if changed:
            plan.add("credentials", item.name, "update", changed)
            plan.credentials_changed = True
    if prune:
        named = {i.name for i in items}
        for row in rows:
            if row.name not in named:
                await session.delete(row)
                known.pop(row.name, None)
                plan.add("credentials", row.name, "delete")
                plan.credentials_changed = True
    await session.flush()
    return known


async def _groups(session: AsyncSession, doc: Document, plan: Plan, prune: bool) -> dict[str, ResourceGroup]:
    items = doc.config.groups
    rows = list((await session.execute(select(ResourceGroup).order_by(ResourceGroup.id))).scalars())
    known: dict[str, ResourceGroup] = {r.name: r for r in rows}
    for item in items:
        row = known.get(item.name)
        wanted = {"visibility": item.visibility, "display_order": item.order}
        if row is None:
            row = known[item.name] = ResourceGroup(name=item.name, **wanted)
            session.add(row)
            plan.add("groups", item.name, "create")
        elif changed := differ(row, wanted):
            plan.add("groups", item.name, "update", ["order" if c == "display_order" else c for c in changed])
    if prune:
        named = {i.name for i in items}
        for row in rows:
            if row.name not in named:
                await session.delete(row)
                del known[row.name]
                plan.add("groups", row.name, "delete")
    await session.flush()
    return known


_COLUMNS = {"enabled": "active", "interval_s": "intervalSeconds", "timeout_s": "timeoutSeconds",
            "skip_tls": "skipTLS", "display_order": "displayOrder", "config": "options", "kind": "type",
            "credential_id": "credential", "outage_threshold": "outageThreshold",
            "recovery_threshold": "recoveryThreshold", "upside_down": "upsideDown"}  # fmt: skip


def _resource_columns(
    doc: Document, i: int, item: v1.ResourceItem, creds: dict[str, Credential], row: Resource | None
) -> dict[str, Any]:
    path = ("resources", i)
    try:
        target = check_target(item.type, item.target)
        options = check_options(item.type, resolve_headers(doc, i, item, row.config if row is not None else None))
    except Invalid as exc:
        sub = exc.field or "target"
        raise doc.error((*path, *sub.split(".")), exc.message.removeprefix(f"{sub}: ")) from None
    credential_id = None
    if item.credential is not None:
        if item.credential not in creds:
            raise doc.error((*path, "credential"), f"credential {item.credential!r} does not exist")
        credential_id = creds[item.credential].id
    return {
        "kind": item.type, "target": target, "config": options, "enabled": item.active,
        "interval_s": item.interval_seconds, "timeout_s": item.timeout_seconds, "skip_tls": item.skip_tls,
        "recursive": item.recursive, "display_order": item.display_order, "credential_id": credential_id,
        "locations": item.locations, "quorum": item.quorum,
        "proxy": None if item.proxy in (None, "default") else item.proxy,
        "outage_threshold": item.outage_threshold, "recovery_threshold": item.recovery_threshold,
        "upside_down": item.upside_down,
    }  # fmt: skip


async def _resources(
    session: AsyncSession,
    doc: Document,
    plan: Plan,
    creds: dict[str, Credential],
    groups: dict[str, ResourceGroup],
    prune: bool,
) -> None:
    items = doc.config.resources
    stmt = select(Resource).where(Resource.discovered_by.is_(None)).order_by(Resource.id)
    rows = list((await session.execute(stmt)).scalars())
    known = by_name(rows, doc, "resources", {i.name for i in items})
    wanted_groups = _memberships(doc, groups)
    for i, item in enumerate(items):
        row = known.get(item.name)
        wanted = _resource_columns(doc, i, item, creds, row)
        if row is None:
            row = known[item.name] = Resource(name=item.name, memberships=[], tags=[], **wanted)
            session.add(row)
            plan.add("resources", item.name, "create")
            changed = None
        else:
            changed = [_COLUMNS.get(c, c) for c in differ(row, wanted)]
        if _set_groups(row, [groups[g] for g in wanted_groups[item.name]]) and changed is not None:
            changed.append("groups")
        if await sync_tags(session, row, item.tags) and changed is not None:
            changed.append("tags")
        if changed:
            plan.add("resources", item.name, "update", changed)
    if prune:
        named = {i.name for i in items}
        for row in rows:
            if row.name not in named:
                plan.resources_deleted.add(row.id)
                await session.delete(row)
                plan.add("resources", row.name, "delete")
    await session.flush()
    plan.resources_touched = {
        known[c.name].id for c in plan.changes if c.section == "resources" and c.action != "delete"
    }
    _report_member_order(doc, plan, groups, known)


def _memberships(doc: Document, groups: dict[str, ResourceGroup]) -> dict[str, list[str]]:
    """Per resource name, its groups in the order of the document."""
    names = {r.name for r in doc.config.resources}
    out: dict[str, list[str]] = {r.name: [] for r in doc.config.resources}
    for gi, group in enumerate(doc.config.groups):
        for mi, member in enumerate(group.members):
            if member not in names:
                raise doc.error(("groups", gi, "members", mi), f"resource {member!r} is not in this document")
            if group.name not in out[member]:
                out[member].append(group.name)
    for ri, res in enumerate(doc.config.resources):
        for gi, name in enumerate(res.groups):
            if name not in groups:
                raise doc.error(("resources", ri, "groups", gi), f"group {name!r} does not exist")
            if name not in out[res.name]:
                out[res.name].append(name)
    return out


def _set_groups(row: Resource, wanted: list[ResourceGroup]) -> bool:
    keep = {g.id for g in wanted}
    gone = [m for m in row.memberships if m.group_id not in keep]
    for member in gone:
        row.memberships.remove(member)
    present = {m.group_id for m in row.memberships}
    added = [g for g in wanted if g.id not in present]
    for g in added:
        row.memberships.append(GroupMember(group_id=g.id, display_order=1_000_000))
    return bool(gone or added)


def _report_member_order(
    doc: Document, plan: Plan, groups: dict[str, ResourceGroup], known: dict[str, Resource]
) -> None:
    """Members in document order (members listed first, then the resources naming the group); others after."""
    for group in doc.config.groups:
        gid = groups[group.name].id
        order = list(dict.fromkeys([*group.members, *(r.name for r in doc.config.resources if group.name in r.groups)]))
        position = {known[name].id: n for n, name in enumerate(order)}
        moved = False
        for res in known.values():
            for m in res.memberships:
                if m.group_id == gid and m.resource_id in position and m.display_order != position[m.resource_id]:
                    m.display_order = position[m.resource_id]
                    moved = True
        if moved and not any(c.section == "groups" and c.name == group.name for c in plan.changes):
            plan.add("groups", group.name, "update", ["members"])


async def _discovery(session: AsyncSession, doc: Document, box: SecretBox, plan: Plan, prune: bool) -> None:
    items = doc.config.discovery_sources
    rows = list((await session.execute(select(DiscoverySource).order_by(DiscoverySource.id))).scalars())
    known = by_name(rows, doc, "discoverySources", {i.name for i in items})
    for i, item in enumerate(items):
        row = known.get(item.name)
        password = _source_secret(doc, box, i, item.password, ("DISCOVERY", item.name, row and row.secret_enc))
        token = _source_secret(doc, box, i, item.token, ("DISCOVERY_TOKEN", item.name, row and row.token_enc))
        wanted = {
            "kind": item.kind, "prefix": item.prefix or "", "recursive": item.recursive,
            "tag_filter": item.tag_filter, "interval_s": item.interval_seconds, "parallelism": item.parallelism,
            "username": item.username, "insecure_http": item.insecure_http, "skip_tls": item.skip_tls,
            "enabled": item.active, "latest_only": item.latest_only, "api_url": item.api_url,
            "ca_pem": item.ca_certificate, "namespaces": item.namespaces or None,
            "annotation_only": item.annotation_only, "object_kinds": item.object_kinds,
        }  # fmt: skip
        if row is None:
            sealed = {"secret_enc": _seal(box, password), "token_enc": _seal(box, token)}
            row = DiscoverySource(name=item.name, **sealed, **wanted)
            _check(doc, i, row)
            session.add(row)
            plan.add("discoverySources", item.name, "create")
            continue
        if row.kind != item.kind:
            raise doc.error(("discoverySources", i, "kind"), "the kind of a source cannot change; rename it")
        changed = differ(row, wanted)
        for column, field, value in (("secret_enc", "password", password), ("token_enc", "token", token)):
            if open_sealed(box, getattr(row, column)) != value:
                setattr(row, column, _seal(box, value))
                changed.append(field)
        _check(doc, i, row)
        if changed:
            plan.add("discoverySources", item.name, "update", changed)
    if prune:
        named = {i.name for i in items}
        for row in rows:
            if row.name not in named:
                await session.delete(row)
                plan.add("discoverySources", row.name, "delete")


def _source_secret(
    doc: Document, box: SecretBox, index: int, ref: Any, kept: tuple[str, str, bytes | None]
) -> str | None:
    """The secret a reference points to; the export's own placeholder keeps the stored value."""
    kind, name, sealed = kept
    if ref is None:
        return None
    field = "token" if kind == "DISCOVERY_TOKEN" else "password"
    return doc.secret(("discoverySources", index, field), ref, (kind, name, open_sealed(box, sealed)))


def _seal(box: SecretBox, value: str | None) -> bytes | None:
    return None if value is None else box.seal(value)


def _check(doc: Document, index: int, row: DiscoverySource) -> None:
    try:
        check_source(row)
    except Invalid as exc:
        raise doc.error(("discoverySources", index, exc.field or "kind"), exc.message) from None


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


async def _announcements(session: AsyncSession, cfg: v1.KairosConfig, plan: Plan, prune: bool) -> None:
    rows = list((await session.execute(select(Announcement).order_by(Announcement.id))).scalars())
    known: dict[str, Announcement] = {}
    for row in rows:
        known.setdefault(row.content, row)
    for item in cfg.announcements:
        label = item.content.splitlines()[0][:60]
        wanted = {"kind": item.kind, "active": item.active, "active_until": _utc(item.active_until)}
        found = known.get(item.content)
        if found is None:
            html = render_content(item.content)
            session.add(Announcement(content=item.content, content_html=html, created_by="kairos import", **wanted))
            plan.add("announcements", label, "create")
        elif changed := differ(found, wanted):
            plan.add("announcements", label, "update", changed)
    if prune:
        named = {i.content for i in cfg.announcements}
        for row in rows:
            if row.content not in named:
                await session.delete(row)
                plan.add("announcements", row.content.splitlines()[0][:60] if row.content else "", "delete")
