"""What the outage page shows: open outages, then closed ones page by page, only of resources the caller may
see. Every read walks an outage index (ix_outage_started_at, or ix_outage_resource_started for one resource)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access import visibility
from kairos.api.deps import Caller
from kairos.db.models import Outage, Resource
from kairos.web.deps import PageError
from kairos.web.keyset import Key, Page, keyset_page
from kairos.web.resource_data import day_range

PAGE_SIZE = 50
ACTIVE_SHOWN = 200  # more open outages than this at once: the list says so instead of growing without end


async def hidden_ids(session: AsyncSession, caller: Caller) -> set[int]:
    return await visibility.hidden_ids(session, caller)


async def resource_choices(session: AsyncSession, hidden: set[int]) -> list[tuple[int, str]]:
    """Every resource the caller may see, by name, for the filter's select."""
    rows = (await session.execute(select(Resource.id, Resource.name).order_by(Resource.name_key, Resource.id))).all()
    return [(rid, name) for rid, name in rows if rid not in hidden]


def _base(hidden: set[int], resource_id: int | None) -> Select[Outage, str]:
    stmt = select(Outage, Resource.name).join(Resource, Resource.id == Outage.resource_id)
    if resource_id is not None:
        stmt = stmt.where(Outage.resource_id == resource_id)
    if hidden:
        stmt = stmt.where(Outage.resource_id.not_in(hidden))
    return stmt


async def active_outages(session: AsyncSession, hidden: set[int], resource_id: int | None) -> list[tuple[Outage, str]]:
    """Open outages, the longest-running first. The date range does not apply: an open outage is news."""
    stmt = (
        _base(hidden, resource_id)
        .where(Outage.ended_at.is_(None))
        .order_by(Outage.started_at, Outage.id)
        .limit(ACTIVE_SHOWN)
    )
    return [(o, name) for o, name in (await session.execute(stmt)).all()]


async def _key(session: AsyncSession, cursor: int | None) -> Key | None:
    if cursor is None:
        return None
    row = await session.get(Outage, cursor)
    if row is None:
        raise PageError(400, "That page link is not valid.")
    return row.started_at, row.id


async def past_outages(
    session: AsyncSession,
    hidden: set[int],
    resource_id: int | None,
    start: date | None,
    end: date | None,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """Closed outages that overlap [start, end] (whole UTC days), newest first."""
    lo, hi = day_range(start, end)
    stmt = _base(hidden, resource_id).where(Outage.ended_at.is_not(None))
    if lo is not None:
        stmt = stmt.where(Outage.ended_at >= lo)
    if hi is not None:
        stmt = stmt.where(Outage.started_at < hi)
    return await keyset_page(
        session,
        stmt,
        (Outage.started_at, Outage.id),
        lambda row: (row[0].started_at, row[0].id),
        before=await _key(session, before),
        after=await _key(session, after),
        size=size,
    )
