"""Config as code for status pages (``statusPages``): slug, title, description, domain and groups by name.

Pages are identified by slug. The logo is an upload (``PUT /api/status-pages/{id}/logo``), not part of the
document: an import keeps it. Linked announcements are not part of the document either (they are kept)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.config_as_code.changes import Plan
from kairos.config_as_code.source import Document
from kairos.config_as_code.v1 import StatusPageItem
from kairos.db.models import ResourceGroup, StatusPage, StatusPageGroup
from kairos.services.announcement_html import render_off_loop


def _items(doc: Document) -> list[StatusPageItem]:
    return list(doc.config.status_pages)


async def _group_ids(session: AsyncSession, doc: Document, index: int, item: StatusPageItem) -> list[int]:
    rows = dict((await session.execute(select(ResourceGroup.name, ResourceGroup.id))).all())
    for gi, name in enumerate(item.groups):
        if name not in rows:
            raise doc.error(("statusPages", index, "groups", gi), f"group {name!r} does not exist")
    return list(dict.fromkeys(rows[name] for name in item.groups))


async def _apply_one(session: AsyncSession, row: StatusPage, item: StatusPageItem, ids: list[int]) -> list[str]:
    changed = []
    wanted: dict[str, Any] = {"title": item.title, "description": item.description, "domain": item.domain}
    for key, value in wanted.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed.append(key)
    if "description" in changed:
        row.description_html = await render_off_loop(item.description)
    if [link.group_id for link in row.groups] != ids:
        row.groups = [StatusPageGroup(group_id=gid, position=i) for i, gid in enumerate(ids)]
        changed.append("groups")
    return changed


async def apply_status_pages(session: AsyncSession, doc: Document, plan: Plan, prune: bool) -> None:
    await session.flush()  # the document's groups exist by now
    items = _items(doc)
    rows = {p.slug: p for p in (await session.execute(select(StatusPage))).scalars()}
    domains = {p.domain: p.slug for p in rows.values() if p.domain}
    for i, item in enumerate(items):
        owner = domains.get(item.domain) if item.domain else None
        if owner is not None and owner != item.slug and owner not in {x.slug for x in items}:
            raise doc.error(
                ("statusPages", i, "domain"), f"the domain {item.domain!r} is used by status page {owner!r}"
            )
        ids = await _group_ids(session, doc, i, item)
        row = rows.get(item.slug)
        if row is None:
            row = StatusPage(slug=item.slug, title=item.title, description="", description_html="", groups=[],
                             announcements=[])  # fmt: skip
            session.add(row)
            await _apply_one(session, row, item, ids)
            plan.add("statusPages", item.slug, "create")
        elif changed := await _apply_one(session, row, item, ids):
            plan.add("statusPages", item.slug, "update", changed)
    if prune:
        named = {i.slug for i in items}
        for slug, row in rows.items():
            if slug not in named:
                await session.delete(row)
                plan.add("statusPages", slug, "delete")


def export_status_pages(pages: list[StatusPage], group_names: dict[int, str]) -> list[dict[str, Any]]:
    out = []
    for p in sorted(pages, key=lambda p: p.slug):
        item: dict[str, Any] = {"slug": p.slug, "title": p.title}
        if p.description:
            item["description"] = p.description
        if p.domain:
            item["domain"] = p.domain
        item["groups"] = [group_names[link.group_id] for link in p.groups if link.group_id in group_names]
        out.append(item)
    return out
