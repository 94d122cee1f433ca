"""Maintenance windows: storing them (with the rules across fields), ending one early, and who may see which.

The engine's side (which window is on for a resource at a time, without a query) is kairos.scheduler.maintenance;
after every change the adapters call :func:`changed` so that it recomputes at once (docs/maintenance.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from croniter import CroniterError, croniter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_group, hidden_ids
from kairos.api.schemas.maintenance import WEEKDAYS, MaintenanceWindowCreate
from kairos.db.models import MaintenanceWindow, Resource, ResourceGroup
from kairos.errors import Conflict, Invalid
from kairos.scheduler.maintenance_windows import CRON, ONCE, WEEKLY, Span, WindowSpec, occurrences
from kairos.services.announcements import Author, author_of
from kairos.services.rows import get_or_not_found

if TYPE_CHECKING:
    from kairos.api.deps import Caller
    from kairos.runtime import Runtime

UPCOMING = timedelta(days=7)  # what the dashboard and the public list show ahead
NEXT_HORIZON = timedelta(days=8)  # how far a recurring window's next occurrence is looked for
MAX_ONCE = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class Shown:
    """A window as a reader sees it: the row, whether it is on, its current or next occurrence."""

    row: MaintenanceWindow
    active: bool
    current: Span | None
    scope_ids: list[int]


def current_of(w: WindowSpec, now: datetime) -> Span | None:
    """The occurrence on at ``now``, else the next one (a one-off: its only one; recurring: within 8 days)."""
    hi = w.ends_at or now if w.schedule == ONCE else now + NEXT_HORIZON
    spans = occurrences(w, now, max(hi, now + timedelta(seconds=1)))
    return spans[0] if spans else None


def is_on(w: WindowSpec, now: datetime) -> bool:
    span = current_of(w, now)
    return span is not None and span[0] <= now < span[1]


def check_rules(body: MaintenanceWindowCreate) -> None:
    """The rules across fields, each error naming its field."""
    if body.schedule == ONCE:
        if body.ends_at is None:
            raise Invalid("a one-off window needs endsAt", field="endsAt")
        if body.ends_at <= body.starts_at:
            raise Invalid("endsAt must be after startsAt", field="endsAt")
        if body.ends_at - body.starts_at > MAX_ONCE:
            raise Invalid("a one-off window lasts at most 366 days", field="endsAt")
        extra = [f for f, v in (("weekdays", body.weekdays), ("startTime", body.start_time), ("cron", body.cron)) if v]
        if extra:
            raise Invalid(f"{extra[0]} is for recurring windows (schedule WEEKLY or CRON)", field=extra[0])
        return
    if body.duration_minutes is None:
        raise Invalid("a recurring window needs durationMinutes", field="durationMinutes")
    if body.ends_at is not None and body.ends_at <= body.starts_at:
        raise Invalid("endsAt must be after startsAt", field="endsAt")
    if body.schedule == WEEKLY:
        if not body.weekdays:
            raise Invalid("a weekly window needs at least one of MON … SUN", field="weekdays")
        if body.start_time is None:
            raise Invalid("a weekly window needs startTime (HH:MM)", field="startTime")
        if body.cron:
            raise Invalid("cron is for schedule CRON", field="cron")
        return
    if not body.cron or not croniter.is_valid(body.cron) or len(body.cron.split()) != 5:
        raise Invalid("cron must be a five-field cron expression, such as '0 2 * * SUN'", field="cron")
    try:
        croniter(body.cron, body.starts_at).get_next(datetime)
    except (CroniterError, ValueError, OverflowError):
        raise Invalid("cron matches no date (such as 0 0 31 2 *): the window would never start", field="cron") from None
    if body.weekdays or body.start_time:
        raise Invalid(
            "weekdays and startTime are for schedule WEEKLY", field="weekdays" if body.weekdays else "startTime"
        )


async def _check_scope(session: AsyncSession, body: MaintenanceWindowCreate) -> list[int]:
    if body.scope == "all":
        if body.scope_ids:
            raise Invalid("scope all takes no scopeIds", field="scopeIds")
        return []
    if not body.scope_ids:
        raise Invalid(f"scope {body.scope} needs scopeIds", field="scopeIds")
    ids = sorted(set(body.scope_ids))
    model = ResourceGroup if body.scope == "groups" else Resource
    found = set((await session.execute(select(model.id).where(model.id.in_(ids)))).scalars())
    missing = [i for i in ids if i not in found]
    if missing:
        what = "group" if body.scope == "groups" else "resource"
        raise Invalid(f"no {what} with id {missing[0]}", field="scopeIds")
    return ids


async def _fill(session: AsyncSession, row: MaintenanceWindow, body: MaintenanceWindowCreate) -> None:
    check_rules(body)
    fill(row, body, await _check_scope(session, body))


def fill(row: MaintenanceWindow, body: MaintenanceWindowCreate, scope_ids: list[int]) -> None:
    """The row's columns from a checked body (``check_rules``) and its checked ids."""
    row.scope_ids = scope_ids
    row.title, row.description, row.schedule = body.title, body.description, body.schedule
    row.starts_at, row.ends_at = body.starts_at.astimezone(UTC), body.ends_at and body.ends_at.astimezone(UTC)
    row.weekdays = sorted({WEEKDAYS.index(d) for d in body.weekdays})
    row.start_time = body.start_time if body.schedule == WEEKLY else None
    row.duration_minutes = body.duration_minutes if body.schedule != ONCE else None
    row.cron = body.cron if body.schedule == CRON else None
    row.timezone, row.scope = body.timezone, body.scope
    row.ended_at = None  # edited: the new schedule starts clean


async def changed(runtime: Runtime) -> None:
    """Stored: the engine recomputes its windows (a fleet's workers by notification)."""
    await runtime.scheduler.caches_changed()


async def scope_choices(session: AsyncSession) -> dict[str, list[tuple[int, str]]]:
    """Every group and resource as (id, name), by name: what the console's form offers as a scope."""
    groups = await session.execute(
        select(ResourceGroup.id, ResourceGroup.name).order_by(ResourceGroup.name_key, ResourceGroup.id)
    )
    resources = await session.execute(select(Resource.id, Resource.name).order_by(Resource.name_key, Resource.id))
    return {"groups": [(i, n) for i, n in groups], "resources": [(i, n) for i, n in resources]}


async def list_all(session: AsyncSession) -> list[MaintenanceWindow]:
    stmt = select(MaintenanceWindow).order_by(MaintenanceWindow.starts_at.desc(), MaintenanceWindow.id.desc())
    return list((await session.execute(stmt)).scalars())


async def get(session: AsyncSession, window_id: int) -> MaintenanceWindow:
    return await get_or_not_found(session, MaintenanceWindow, window_id, "maintenance window")


async def create(session: AsyncSession, body: MaintenanceWindowCreate, caller: Author) -> MaintenanceWindow:
    row = MaintenanceWindow(created_by=await author_of(session, caller))
    await _fill(session, row, body)
    session.add(row)
    await session.commit()
    return row


async def replace(session: AsyncSession, window_id: int, body: MaintenanceWindowCreate) -> MaintenanceWindow:
    row = await get(session, window_id)
    await _fill(session, row, body)
    await session.commit()
    await session.refresh(row)
    return row


async def delete(session: AsyncSession, window_id: int) -> None:
    await session.delete(await get(session, window_id))
    await session.commit()


async def end_now(session: AsyncSession, window_id: int, now: datetime | None = None) -> MaintenanceWindow:
    """End the occurrence on now (a recurring window's later occurrences still come); Conflict when none is."""
    row = await get(session, window_id)
    now = now or datetime.now(UTC)
    if not is_on(WindowSpec.of(row), now):
        raise Conflict("the window is not on right now: nothing to end", code="not_active")
    row.ended_at = now
    await session.commit()
    await session.refresh(row)
    return row


async def shown(
    session: AsyncSession, caller: Caller, rows: list[MaintenanceWindow], now: datetime, *, manager: bool
) -> list[Shown]:
    """``rows`` as ``caller`` may see them: a manager sees all; others only windows covering something they may
    see (scope all, or a visible group or resource), with the ids they may not see left out."""
    if manager:
        return [_shown(r, now, list(r.scope_ids)) for r in rows]
    hidden = await hidden_ids(session, caller)
    groups = {gid: vis for gid, vis in await session.execute(select(ResourceGroup.id, ResourceGroup.visibility))}
    out = []
    for r in rows:
        if r.scope == "resources":
            ids = [i for i in r.scope_ids if i not in hidden]
        elif r.scope == "groups":
            ids = [i for i in r.scope_ids if i in groups and can_see_group(caller, groups[i])]
        else:
            ids = []
        if r.scope == "all" or ids:
            out.append(_shown(r, now, ids))
    return out


def _shown(row: MaintenanceWindow, now: datetime, ids: list[int]) -> Shown:
    span = current_of(WindowSpec.of(row), now)
    return Shown(row, span is not None and span[0] <= now < span[1], span, ids)


async def active_and_upcoming(session: AsyncSession, caller: Caller, now: datetime, *, manager: bool) -> list[Shown]:
    """Windows on now or starting within 7 days, as ``caller`` may see them: those on first, then by start."""
    rows = await shown(session, caller, await list_all(session), now, manager=manager)
    soon = [s for s in rows if s.current is not None and s.current[0] < now + UPCOMING]
    soon.sort(key=lambda s: (not s.active, s.current[0] if s.current else now))
    return soon
