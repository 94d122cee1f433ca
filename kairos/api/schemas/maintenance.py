"""Maintenance windows: one-off or recurring (weekly or cron) times when checks count for nothing.

Field-level rules live here; rules across fields (a one-off window needs ``endsAt`` after ``startsAt``, a weekly
one needs days, a start time and a duration, …) are kairos/services/maintenance.py's, so every adapter (API,
console, config-as-code, MCP) gets the same precise errors."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from kairos.api.schemas.common import ApiModel, Id, InputModel, UtcDatetime
from kairos.services.site import ZoneName

if TYPE_CHECKING:
    from kairos.services.maintenance import Shown

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
MAX_DURATION_MIN = 7 * 24 * 60
MAX_SCOPE_IDS = 1000


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _plain(value: str) -> str:
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _title(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return _plain(value.strip())


def _hhmm(value: str) -> str:
    parts = value.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError("must be a 24-hour time HH:MM, such as 02:30")
    if int(parts[0]) > 23 or int(parts[1]) > 59:
        raise ValueError("must be a 24-hour time HH:MM, from 00:00 to 23:59")
    return value


Schedule = Annotated[
    Literal["ONCE", "WEEKLY", "CRON"],
    BeforeValidator(_upper),
    Field(description="ONCE (from `startsAt` to `endsAt`), WEEKLY (`weekdays` at `startTime`) or CRON (`cron`)."),
]
Weekday = Annotated[Literal["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"], BeforeValidator(_upper)]
Scope = Annotated[
    Literal["all", "groups", "resources"],
    BeforeValidator(_lower),
    Field(description="all (every resource), groups or resources (those in `scopeIds`)."),
]
Title = Annotated[str, StringConstraints(max_length=200), AfterValidator(_title)]
Description = Annotated[str, StringConstraints(max_length=5000), AfterValidator(_plain)]
StartTime = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5), AfterValidator(_hhmm)]


class MaintenanceWindowCreate(InputModel):
    """A complete window (PUT takes the same complete body)."""

    title: Title = Field(description="Shown on the dashboard, 1 to 200 characters.")
    description: Description = Field("", description="Plain text, up to 5000 characters (shown escaped).")
    schedule: Schedule = "ONCE"
    starts_at: UtcDatetime = Field(
        description="ONCE: when it starts. WEEKLY/CRON: occurrences start at or after it. With a zone."
    )
    ends_at: UtcDatetime | None = Field(
        None,
        description="ONCE: when it ends (required, after `startsAt`). WEEKLY/CRON: no occurrence starts at or "
        "after it (null: forever).",
    )
    weekdays: list[Weekday] = Field(
        default_factory=list, max_length=7, description="WEEKLY: the days, MON to SUN (at least one)."
    )
    start_time: StartTime | None = Field(None, description="WEEKLY: the local start time HH:MM in `timezone`.")
    duration_minutes: int | None = Field(
        None, ge=1, le=MAX_DURATION_MIN, description="WEEKLY/CRON: how long each occurrence lasts (1 to 10080)."
    )
    cron: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = Field(
        None, description="CRON: a five-field cron expression (minute hour day month weekday) in `timezone`."
    )
    timezone: ZoneName = Field("UTC", description="IANA time zone the recurring times are read in (DST-correct).")
    scope: Scope = "all"
    scope_ids: list[Id] = Field(default_factory=list, max_length=MAX_SCOPE_IDS, description="Group or resource ids.")


class Occurrence(ApiModel):
    starts_at: datetime
    ends_at: datetime


class MaintenanceWindowPublic(ApiModel):
    id: int
    title: str
    description: str
    schedule: str
    starts_at: datetime
    ends_at: datetime | None
    weekdays: list[str]
    start_time: str | None
    duration_minutes: int | None
    cron: str | None
    timezone: str
    scope: str
    scope_ids: list[int] = Field(description="For callers who may not manage resources: only those they may see.")
    ended_at: datetime | None = Field(description="Set when ended early (`POST …/end`).")
    active: bool = Field(description="On right now.")
    current: Occurrence | None = Field(description="The occurrence on now, else the next one (within 7 days).")
    created_by: str | None = Field(description="Only for admins (null for everyone else).")
    created_at: datetime
    updated_at: datetime


def window_public(s: Shown, show_author: bool) -> MaintenanceWindowPublic:
    """A window as the API and MCP answer it; ``show_author``: admins only."""
    r = s.row
    return MaintenanceWindowPublic(
        id=r.id,
        title=r.title,
        description=r.description,
        schedule=r.schedule,
        starts_at=r.starts_at,
        ends_at=r.ends_at,
        weekdays=[WEEKDAYS[d] for d in r.weekdays or ()],
        start_time=r.start_time,
        duration_minutes=r.duration_minutes,
        cron=r.cron,
        timezone=r.timezone,
        scope=r.scope,
        scope_ids=s.scope_ids,
        ended_at=r.ended_at,
        active=s.active,
        current=Occurrence(starts_at=s.current[0], ends_at=s.current[1]) if s.current else None,
        created_by=r.created_by if show_author else None,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )
