"""One page of a resource's raw check results, newest first, with a cursor for the next page.

The cursor is ``<id>@<location>`` (the last result of the previous page), a bare result id (its time in
milliseconds) or a time. A result id is unique per (resource, location) only: two locations may record the
same millisecond, so the cursor names the location too and a page boundary between two such results loses
neither. A bare id, as older clients send, means "older than that millisecond in every location". Bad filters
are ``Invalid`` with the parameter's name as the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.errors import Invalid
from kairos.history import reader
from kairos.history.codec import StoredResult, ms_of
from kairos.probes.base import Status
from kairos.settings import LOCATION_NAME

MAX_BIGINT = 2**63 - 1
_STATUS_NAMES = {
    "AVAILABLE": Status.AVAILABLE,
    "NOT_AVAILABLE": Status.NOT_AVAILABLE,
    "NOT-AVAILABLE": Status.NOT_AVAILABLE,
    "UNKNOWN": Status.UNKNOWN,
    "MAINTENANCE": Status.MAINTENANCE,
}


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    limit: int = 100
    before: str | None = None  # a result id or an ISO-8601 time
    from_: datetime | None = None  # checked at or after
    to: datetime | None = None  # checked before
    status: str | None = None  # AVAILABLE, NOT_AVAILABLE (or NOT-AVAILABLE) or UNKNOWN
    location: str | None = None  # only the results checked there


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


def _parse_location(value: str | None, field: str = "location") -> str | None:
    if value is None:
        return None
    v = value.strip()
    if not LOCATION_NAME.fullmatch(v):
        raise Invalid(f"{field}: not a location name (lower-case letters, digits, '-' or '_')", field=field)
    return v


def cursor_of(row: StoredResult) -> str:
    return f"{row.id}@{row.location}"


async def _cursor(session: AsyncSession, resource_id: int, before: str) -> tuple[int | None, tuple[int, str] | None]:
    """Results after the cursor: ``<id>@<location>`` or a bare id (a result of this resource), or an ISO-8601
    time. Answers an exclusive upper time in ms, or the (id, location) the page continues after."""
    raw_id, at_sign, raw_location = before.partition("@")
    if raw_id.isascii() and raw_id.isdigit():
        cursor_id = int(raw_id)
        location = _parse_location(raw_location, "before") if at_sign else None
        found = await reader.find(session, resource_id, cursor_id, location) if cursor_id <= MAX_BIGINT else None
        if found is None:
            raise Invalid("before: no such result of this resource", field="before")
        return (None, (found.id, found.location)) if at_sign else (found.id, None)
    try:
        parsed = datetime.fromisoformat(before.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(
            "before must be a result cursor (id@location), a result id or an ISO-8601 time", field="before"
        ) from None
    return _ms(utc(parsed, "before")), None


def _ms(at: datetime) -> int:
    return ms_of(at) + (1 if at.microsecond % 1000 else 0)  # the first millisecond at or after ``at``


async def page(session: AsyncSession, resource_id: int, wanted: HistoryFilter) -> tuple[list[StoredResult], str | None]:
    """The page's results (newest first) and the cursor of the next page (None when this page is the last)."""
    lo = _ms(utc(wanted.from_, "from")) if wanted.from_ is not None else None
    hi = _ms(utc(wanted.to, "to")) if wanted.to is not None else None
    status = _parse_status(wanted.status)
    location = _parse_location(wanted.location)
    after = None
    if wanted.before:
        cursor_ms, after = await _cursor(session, resource_id, wanted.before.strip())
        if cursor_ms is not None:
            hi = cursor_ms if hi is None else min(hi, cursor_ms)
    want = reader.Range(lo, hi, status.value if status else None, location, after)
    rows = await reader.page(session, resource_id, want, wanted.limit)
    return rows, (cursor_of(rows[-1]) if len(rows) == wanted.limit else None)
