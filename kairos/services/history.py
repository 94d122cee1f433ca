"""One page of a resource's raw check results, newest first, with a cursor for the next page.

The cursor is a result id (its time in milliseconds, unique within the resource) or a time. Bad filters
are ``Invalid`` with the parameter's name as the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.errors import Invalid
from kairos.history import reader
from kairos.history.codec import StoredResult, ms_of
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


async def _cursor_ms(session: AsyncSession, resource_id: int, before: str) -> int:
    """Results strictly older than the cursor: a result id (its time in ms) or an ISO-8601 time."""
    if before.isascii() and before.isdigit():
        cursor_id = int(before)
        found = await reader.find(session, resource_id, cursor_id) if cursor_id <= MAX_BIGINT else None
        if found is None:
            raise Invalid("before: no such result of this resource", field="before")
        return found.id
    try:
        parsed = datetime.fromisoformat(before.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("before must be a result id or an ISO-8601 time", field="before") from None
    return _ms(utc(parsed, "before"))


def _ms(at: datetime) -> int:
    return ms_of(at) + (1 if at.microsecond % 1000 else 0)  # the first millisecond at or after ``at``


async def page(session: AsyncSession, resource_id: int, wanted: HistoryFilter) -> tuple[list[StoredResult], str | None]:
    """The page's results (newest first) and the cursor of the next page (None when this page is the last)."""
    lo = _ms(utc(wanted.from_, "from")) if wanted.from_ is not None else None
    hi = _ms(utc(wanted.to, "to")) if wanted.to is not None else None
    status = _parse_status(wanted.status)
    if wanted.before:
        cursor = await _cursor_ms(session, resource_id, wanted.before.strip())
        hi = cursor if hi is None else min(hi, cursor)
    want = reader.Range(lo, hi, status.value if status else None)
    rows = await reader.page(session, resource_id, want, wanted.limit)
    return rows, (str(rows[-1].id) if len(rows) == wanted.limit else None)
