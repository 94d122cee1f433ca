"""Config as code for maintenance windows (``maintenance``), identified by title; scopes by group or resource name.

Each item is checked with the API's schema and the service's rules (kairos/services/maintenance.py), so a file
meets the same errors as an API client, reported at the item's line. An import that changes a window clears its
early end, as an API replace does."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.maintenance import WEEKDAYS, MaintenanceWindowCreate
from kairos.config_as_code.changes import Plan
from kairos.config_as_code.source import Document
from kairos.config_as_code.v1 import GroupScope, MaintenanceItem
from kairos.db.models import MaintenanceWindow, Resource, ResourceGroup
from kairos.errors import Invalid
from kairos.services.maintenance import check_rules
from kairos.services.maintenance import fill as fill_row

SECTION = "maintenance"


def _where(exc: ValidationError | Invalid) -> tuple[str, str]:
    if isinstance(exc, Invalid):
        return exc.field or "", exc.message
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ())]
    return (loc[0] if loc else ""), str(err.get("msg", "invalid value")).removeprefix("Value error, ")


async def _ids(session: AsyncSession, doc: Document, i: int, item: MaintenanceItem) -> tuple[str, list[int]]:
    if isinstance(item.scope, str):
        return "all", []
    if isinstance(item.scope, GroupScope):
        scope, names = "groups", item.scope.groups
    else:
        scope, names = "resources", item.scope.resources
    model = ResourceGroup if scope == "groups" else Resource
    known = {n: rid for n, rid in await session.execute(select(model.name, model.id))}
    for j, name in enumerate(names):
        if name not in known:
            raise doc.error((SECTION, i, "scope", scope, j), f"{scope[:-1]} {name!r} does not exist")
    return scope, sorted({known[n] for n in names})


async def _body(session: AsyncSession, doc: Document, i: int, item: MaintenanceItem) -> MaintenanceWindowCreate:
    scope, ids = await _ids(session, doc, i, item)
    data = item.model_dump(by_alias=True, exclude={"scope"}) | {"scope": scope, "scopeIds": ids}
    try:
        body = MaintenanceWindowCreate.model_validate(data)
        check_rules(body)
    except (ValidationError, Invalid) as exc:
        field, message = _where(exc)
        raise doc.error((SECTION, i, field) if field else (SECTION, i), message) from None
    return body


def _same(row: MaintenanceWindow, body: MaintenanceWindowCreate) -> list[str]:
    """Which stored fields differ from ``body`` (as the row would store it)."""
    probe = MaintenanceWindow()
    fill_row(probe, body, sorted(set(body.scope_ids)))
    keys = ("description", "schedule", "starts_at", "ends_at", "weekdays", "start_time", "duration_minutes", "cron",
            "timezone", "scope", "scope_ids")  # fmt: skip
    return [k for k in keys if getattr(row, k) != getattr(probe, k)]


async def apply_maintenance(session: AsyncSession, doc: Document, plan: Plan, prune: bool) -> None:
    await session.flush()  # the document's groups and resources exist by now
    rows = {w.title: w for w in (await session.execute(select(MaintenanceWindow))).scalars()}
    items: list[MaintenanceItem] = list(getattr(doc.config, SECTION))
    for i, item in enumerate(items):
        body = await _body(session, doc, i, item)
        row = rows.get(item.title)
        if row is None:
            row = MaintenanceWindow(created_by=f"config:{doc.source}"[:320])
            fill_row(row, body, sorted(set(body.scope_ids)))
            session.add(row)
            plan.add(SECTION, item.title, "create")
        elif changed := _same(row, body):
            fill_row(row, body, sorted(set(body.scope_ids)))
            plan.add(SECTION, item.title, "update", changed)
    if prune:
        named = {i.title for i in items}
        for title, row in rows.items():
            if title not in named:
                await session.delete(row)
                plan.add(SECTION, title, "delete")


async def export_maintenance(session: AsyncSession) -> list[dict[str, Any]]:
    rows = sorted((await session.execute(select(MaintenanceWindow))).scalars(), key=lambda w: (w.title, w.id))
    names: dict[str, dict[int, str]] = {}
    if any(w.scope == "groups" for w in rows):
        names["groups"] = {i: n for i, n in await session.execute(select(ResourceGroup.id, ResourceGroup.name))}
    if any(w.scope == "resources" for w in rows):
        names["resources"] = {i: n for i, n in await session.execute(select(Resource.id, Resource.name))}
    return [_exported(w, names) for w in rows]


def _exported(w: MaintenanceWindow, names: dict[str, dict[int, str]]) -> dict[str, Any]:
    item: dict[str, Any] = {"title": w.title, "schedule": w.schedule, "startsAt": w.starts_at.isoformat()}
    if w.description:
        item["description"] = w.description
    if w.ends_at:
        item["endsAt"] = w.ends_at.isoformat()
    if w.schedule == "WEEKLY":
        item |= {"weekdays": [WEEKDAYS[d] for d in w.weekdays], "startTime": w.start_time}
    if w.schedule == "CRON":
        item["cron"] = w.cron
    if w.duration_minutes:
        item["durationMinutes"] = w.duration_minutes
    item["timezone"] = w.timezone
    if w.scope != "all":
        known = names.get(w.scope, {})
        item["scope"] = {w.scope: [known[i] for i in w.scope_ids if i in known]}
    return item
