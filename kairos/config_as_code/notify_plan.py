"""The notification sections of a document: channels (URLs as secret references) and policies (by names).

Applied after groups and resources, in the same transaction, so a policy may scope to objects the same document
creates. Channel URLs are compared decrypted: re-importing an export with its variables set changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.config_as_code import v1
from kairos.config_as_code.changes import Plan, by_name, differ, open_sealed
from kairos.config_as_code.source import Document
from kairos.crypto import SecretBox
from kairos.db.models import NotificationChannel, NotificationPolicy, Resource, ResourceGroup
from kairos.notify import channels as delivery

CHANNELS, POLICIES = "notificationChannels", "notificationPolicies"


async def apply_notifications(session: AsyncSession, doc: Document, box: SecretBox, plan: Plan, prune: bool) -> None:
    present = doc.config.model_fields_set
    prune_channels = prune and "notification_channels" in present
    known = await _channels(session, doc, box, plan)
    await _policies(session, doc, plan, known, prune_channels, prune and "notification_policies" in present)
    if prune_channels:
        await _prune_channels(session, doc, plan)
    await session.flush()


async def _channels(session: AsyncSession, doc: Document, box: SecretBox, plan: Plan) -> dict[str, Any]:
    items = doc.config.notification_channels
    rows = list((await session.execute(select(NotificationChannel).order_by(NotificationChannel.id))).scalars())
    known = by_name(rows, doc, CHANNELS, {i.name for i in items})
    for i, item in enumerate(items):
        row = known.get(item.name)
        stored = None if row is None else open_sealed(box, row.url_enc)
        url = doc.secret((CHANNELS, i, "url"), item.url, ("NOTIFY", item.name, stored))
        if problem := delivery.validate(item.kind, url):
            raise doc.error((CHANNELS, i, "url"), problem)
        if row is None:
            row = known[item.name] = NotificationChannel(
                name=item.name, kind=item.kind, enabled=item.active, url_enc=box.seal(url), url_hint=delivery.mask(url)
            )
            session.add(row)
            plan.add(CHANNELS, item.name, "create")
            plan.notifications_changed = True
            continue
        changed = ["active" if c == "enabled" else c for c in differ(row, {"kind": item.kind, "enabled": item.active})]
        if stored != url:
            row.url_enc, row.url_hint = box.seal(url), delivery.mask(url)
            changed.append("url")
        if changed:
            plan.add(CHANNELS, item.name, "update", changed)
            plan.notifications_changed = True
    await session.flush()
    return known


async def _scope_ids(session: AsyncSession, doc: Document, i: int, scope: Any) -> tuple[str, list[int]]:
    """The scope column and its ids; an unknown (or ambiguous) name is an error at its line."""
    if scope == "all":
        return "all", []
    kind = "groups" if isinstance(scope, v1.GroupScope) else "resources"
    model: Any = ResourceGroup if kind == "groups" else Resource
    names: list[str] = scope.groups if kind == "groups" else scope.resources
    rows = (await session.execute(select(model.id, model.name).where(model.name.in_(set(names))))).all()
    ids: dict[str, list[int]] = {}
    for rid, name in rows:
        ids.setdefault(name, []).append(rid)
    out: list[int] = []
    for n, name in enumerate(names):
        found = ids.get(name, [])
        if len(found) != 1:
            what = "does not exist" if not found else "names several rows in the database; rename one first"
            raise doc.error((POLICIES, i, "scope", kind, n), f"{kind[:-1]} {name!r} {what}")
        out.append(found[0])
    return kind, list(dict.fromkeys(out))


async def _policies(
    session: AsyncSession, doc: Document, plan: Plan, chans: dict[str, Any], prune_channels: bool, prune: bool
) -> None:
    items = doc.config.notification_policies
    in_doc = {c.name for c in doc.config.notification_channels}
    rows = list((await session.execute(select(NotificationPolicy).order_by(NotificationPolicy.id))).scalars())
    known = by_name(rows, doc, POLICIES, {i.name for i in items})
    for i, item in enumerate(items):
        if item.channel not in chans or (prune_channels and item.channel not in in_doc):
            raise doc.error((POLICIES, i, "channel"), f"notification channel {item.channel!r} does not exist")
        scope, scope_ids = await _scope_ids(session, doc, i, item.scope)
        wanted = {
            "channel_id": chans[item.channel].id, "events": list(dict.fromkeys(item.events)), "scope": scope,
            "scope_ids": scope_ids, "reminder_interval_s": item.reminder_interval_seconds, "enabled": item.active,
        }  # fmt: skip
        row = known.get(item.name)
        if row is None:
            session.add(NotificationPolicy(name=item.name, **wanted))
            plan.add(POLICIES, item.name, "create")
            plan.notifications_changed = True
        elif changed := differ(row, wanted):
            plan.add(POLICIES, item.name, "update", list(dict.fromkeys(_FIELDS.get(c, c) for c in changed)))
            plan.notifications_changed = True
    if prune:
        named = {i.name for i in items}
        for row in rows:
            if row.name not in named:
                await session.delete(row)
                plan.add(POLICIES, row.name, "delete")
                plan.notifications_changed = True


_FIELDS = {
    "channel_id": "channel",
    "scope_ids": "scope",
    "reminder_interval_s": "reminderIntervalSeconds",
    "enabled": "active",
}


async def _prune_channels(session: AsyncSession, doc: Document, plan: Plan) -> None:
    named = {c.name for c in doc.config.notification_channels}
    rows = (await session.execute(select(NotificationChannel).order_by(NotificationChannel.id))).scalars()
    gone = [row for row in rows if row.name not in named]
    for row in gone:
        # Delete its policies explicitly: SQLite only honours ON DELETE CASCADE with foreign keys switched on.
        policies = await session.execute(select(NotificationPolicy).where(NotificationPolicy.channel_id == row.id))
        for policy in policies.scalars():
            await session.delete(policy)
            if not any(c.section == POLICIES and c.name == policy.name for c in plan.changes):
                plan.add(POLICIES, policy.name, "delete")
        await session.delete(row)
        plan.add(CHANNELS, row.name, "delete")
        plan.notifications_changed = True
