"""One page of a resource's raw check results, newest first, with a cursor for the next page.

The cursor is a result id (ties on time broken by id) or a time. Bad filters are ``Invalid`` with the
parameter's name as the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import CheckResult
from kairos.errors import Invalid
from kairos.probes.base import Status

MAX_BIGINT = 2**63 - 1
_STATUS_NAMES = {
    "AVAILABLE": Status.AVAILABLE,
    "NOT_AVAILABLE": Status.NOT_AVAILABLE,
    "NOT-AVAILABLE": Status.NOT_AVAILABLE,
    "UNKNOWN": Status.UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    limit: int = 100
    before: str | None = None  # a result id or an ISO-8601 time
    from_: datetime | None = None  # checked at or after
    to: datetime | None = None  # checked before
    status: str | None = None  # AVAILABLE, NOT_AVAILABLE (or NOT-AVAILABLE) or UNKNOWN


def utc(value: datetime, field: str) -> datetime:
    """``value`` in UTC (naive means UTC); a time that falls off the calendar in UTC is bad input."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise Invalid(f"{field} is out of range", field=field) from None


def _parse_status(value: str | None) -> Status | None:
    if value is None:
        return None
    status = _STATUS_NAMES.get(value.strip().upper())
    if status is None:
        raise Invalid("status must be AVAILABLE, NOT_AVAILABLE or UNKNOWN", field="status")
    return status


async def _cursor_clause(session: AsyncSession, resource_id: int, before: str) -> Any:
    """Rows strictly older than the cursor: a result id (ties on time broken by id) or a time."""
    r = CheckResult
    if before.isascii() and before.isdigit():
        cursor_id = int(before)
        row = await session.get(CheckResult, cursor_id) if cursor_id <= MAX_BIGINT else None
        if row is None or row.resource_id != resource_id:
            raise Invalid("before: no such result of this resource", field="before")
        return or_(r.checked_at < row.checked_at, and_(r.checked_at == row.checked_at, r.id < row.id))
    try:
        parsed = datetime.fromisoformat(before.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("before must be a result id or an ISO-8601 time", field="before") from None
    return r.checked_at < utc(parsed, "before")


async def page(session: AsyncSession, resource_id: int, wanted: HistoryFilter) -> tuple[list[CheckResult], str | None]:
    """The page's rows and the cursor of the next page (None when this page is the last one)."""
    r = CheckResult
    stmt = select(r).where(r.resource_id == resource_id)
    if wanted.from_ is not None:
        stmt = stmt.where(r.checked_at >= utc(wanted.from_, "from"))
    if wanted.to is not None:
        stmt = stmt.where(r.checked_at < utc(wanted.to, "to"))
    if (status := _parse_status(wanted.status)) is not None:
        stmt = stmt.where(r.status == status.value)
    if wanted.before:
        stmt = stmt.where(await _cursor_clause(session, resource_id, wanted.before.strip()))
    # Served by ix_check_result_resource_checked; id only breaks ties between equal times.
    stmt = stmt.order_by(r.checked_at.desc(), r.id.desc()).limit(wanted.limit)
    rows = list((await session.execute(stmt)).scalars().all())
    return rows, (str(rows[-1].id) if len(rows) == wanted.limit else None)
