"""When maintenance windows are on: occurrences of one window, and "which window is on for resource R at t".

Pure: no database, no clock. The engine holds a :class:`Schedule` built from the stored windows (and the group
memberships their scopes name) and asks :meth:`Schedule.window_at` for every result, so the answer costs a dict
lookup and a bisection, never a query. Times are UTC ``datetime``; a recurring window's wall-clock times are read
in its IANA time zone (zoneinfo), so "Sundays 02:00 Europe/Berlin" stays 02:00 local across DST changes. A time
that does not exist that day (the spring-forward gap) is taken with the offset before the change (02:30 becomes
03:30 local); a time that exists twice (fall back) is the first one. A duration is real time."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from croniter import CroniterError, croniter

ONCE, WEEKLY, CRON = "ONCE", "WEEKLY", "CRON"
SCHEDULES = (ONCE, WEEKLY, CRON)
SCOPES = ("all", "groups", "resources")
# A cron window firing every minute yields ~13,000 occurrences in the engine's 9-day horizon: enough, and bounded.
MAX_OCCURRENCES = 20_000

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """A stored window, detached from the database (kairos.db.models.MaintenanceWindow has the same fields)."""

    id: int
    title: str
    schedule: str
    starts_at: datetime
    ends_at: datetime | None = None
    weekdays: tuple[int, ...] = ()
    start_time: str | None = None
    duration_minutes: int | None = None
    cron: str | None = None
    timezone: str = "UTC"
    scope: str = "all"
    scope_ids: frozenset[int] = frozenset()
    ended_at: datetime | None = None

    @classmethod
    def of(cls, row: object) -> WindowSpec:
        """From a row (ORM object or anything with the same attribute names)."""
        get = row.__getattribute__
        return cls(
            id=get("id"),
            title=get("title"),
            schedule=get("schedule"),
            starts_at=get("starts_at"),
            ends_at=get("ends_at"),
            weekdays=tuple(get("weekdays") or ()),
            start_time=get("start_time"),
            duration_minutes=get("duration_minutes"),
            cron=get("cron"),
            timezone=get("timezone"),
            scope=get("scope"),
            scope_ids=frozenset(int(i) for i in get("scope_ids") or ()),
            ended_at=get("ended_at"),
        )

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes or 0)


def _local_starts_weekly(w: WindowSpec, lo: datetime, hi: datetime) -> Iterable[datetime]:
    zone = ZoneInfo(w.timezone)
    hh, mm = (int(x) for x in (w.start_time or "00:00").split(":"))
    first: date = (lo - w.duration).astimezone(zone).date() - timedelta(days=1)
    last: date = hi.astimezone(zone).date() + timedelta(days=1)
    day = first
    while day <= last:
        if day.weekday() in w.weekdays:
            # fold=0: a time in the spring-forward gap takes the offset before the change; a repeated one, the first.
            yield datetime.combine(day, time(hh, mm), tzinfo=zone).astimezone(UTC)
        day += timedelta(days=1)


def _local_starts_cron(w: WindowSpec, lo: datetime, hi: datetime) -> Iterable[datetime]:
    zone = ZoneInfo(w.timezone)
    it = croniter(w.cron or "", (lo - w.duration).astimezone(zone) - timedelta(seconds=1))
    try:
        for _ in range(MAX_OCCURRENCES):
            start: datetime = it.get_next(datetime).astimezone(UTC)
            if start >= hi:
                return
            yield start
    except CroniterError:  # no date matches (0 0 31 2 *: refused when stored, but never let it stop the engine)
        return


def occurrences(w: WindowSpec, lo: datetime, hi: datetime) -> list[Span]:
    """The window's occurrences that overlap ``[lo, hi)``, as UTC spans in time order (an early end applied)."""
    if w.schedule == ONCE:
        spans = [(w.starts_at, w.ends_at or w.starts_at)]
    else:
        starts = _local_starts_weekly(w, lo, hi) if w.schedule == WEEKLY else _local_starts_cron(w, lo, hi)
        bounded = (s for s in starts if s >= w.starts_at and (w.ends_at is None or s < w.ends_at))
        spans = [(s, s + w.duration) for s in bounded]
    if w.ended_at is not None:
        spans = [(s, min(e, w.ended_at)) if s <= w.ended_at < e else (s, e) for s, e in spans]
    return [(s, e) for s, e in spans if s < e and e > lo and s < hi]


def merged(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans joined, in time order."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


@dataclass(slots=True)
class _Compiled:
    spec: WindowSpec
    spans: list[Span]
    starts: list[datetime]


@dataclass(slots=True)
class Schedule:
    """Every window's occurrences in ``[lo, hi)``, and who each window covers."""

    lo: datetime
    hi: datetime
    _everyone: list[_Compiled] = field(default_factory=list)
    _by_resource: dict[int, list[_Compiled]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, windows: Iterable[WindowSpec], members: Mapping[int, Iterable[int]], lo: datetime, hi: datetime
    ) -> Schedule:
        """``members``: group id -> its resource ids (for windows scoped to groups)."""
        out = cls(lo, hi)
        for w in windows:
            try:
                spans = merged(occurrences(w, lo, hi))
            except (ValueError, OverflowError, LookupError):  # a row no validator let in must not stop the engine
                continue
            if not spans:
                continue
            c = _Compiled(w, spans, [s for s, _ in spans])
            if w.scope == "all":
                out._everyone.append(c)
                continue
            ids = set(w.scope_ids) if w.scope == "resources" else {r for g in w.scope_ids for r in members.get(g, ())}
            for rid in ids:
                out._by_resource.setdefault(rid, []).append(c)
        return out

    def _candidates(self, resource_id: int) -> list[_Compiled]:
        own = self._by_resource.get(resource_id)
        return self._everyone + own if own else self._everyone

    def window_at(self, resource_id: int, at: datetime) -> WindowSpec | None:
        """The window on for ``resource_id`` at ``at`` (the first by id when several are), or None."""
        found: WindowSpec | None = None
        for c in self._candidates(resource_id):
            i = bisect_right(c.starts, at) - 1
            if i >= 0 and at < c.spans[i][1] and (found is None or c.spec.id < found.id):
                found = c.spec
        return found

    def spans_of(self, resource_id: int) -> list[Span]:
        """Every span of maintenance for ``resource_id`` within the schedule's range, merged."""
        return merged(s for c in self._candidates(resource_id) for s in c.spans)
