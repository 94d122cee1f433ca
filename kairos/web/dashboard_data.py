"""What the dashboard, the group page and the live stream show, assembled from the live board (memory).

Rows come from three small column queries (resources, groups, memberships) and the in-memory status,
uptime and 24-hour timeline; no history is read. A resource in several groups appears in each of them;
resources in no group come last. A caller sees the groups its level allows and their members, plus the
resources in no group: exactly the resources ``kairos.access.visibility`` lets it see, since a resource takes
its most permissive group."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_group, visible_group_kinds
from kairos.api.deps import Caller
from kairos.api.redaction import public_message
from kairos.db.models import GroupMember, Resource, ResourceGroup
from kairos.probes.base import Status
from kairos.probes.certs import DAY_S, certificate_of, seconds_left
from kairos.rollups.buckets import FIFTEEN_MIN, bucket_of
from kairos.rollups.timeline import BLOCKS
from kairos.runtime import Runtime
from kairos.scheduler.board import RuntimeState
from kairos.scheduler.catalog import load_type_settings
from kairos.scheduler.maintenance_windows import Schedule
from kairos.scheduler.recent import failing_streak, shown_latency
from kairos.services.tags import tag_labels, tagged_ids
from kairos.web.maintenance_marks import day_schedule, marked

PUBLIC = "PUBLIC"
NO_DATA_ROW = "-" * BLOCKS


@dataclass(slots=True)
class Row:
    id: int
    name: str
    kind: str
    target: str
    enabled: bool
    status: str  # available / not-available / unknown
    checked_at: datetime | None
    latency_ms: float | None
    outage_since: datetime | None
    uptime: dict[str, float | None]
    timeline: str  # 96 letters, oldest first (A up, N down, U unknown, - no data), run-length encoded
    tags: list[tuple[str, str, str]] = field(default_factory=list)  # (key, value, colour)
    cert_days: int | None = None  # days left of a TLS certificate under its threshold: the row's marker
    beats: str = ""  # the heartbeat bar: one letter per recent check, oldest first, run-length encoded
    fail_streak: int = 0  # failures in a row not yet an outage ("failing, 1 of 3"); 0: not failing
    threshold: int = 3  # failures that open an outage (the resource's own, else its kind's)


@dataclass(slots=True)
class Counts:
    """Resources by status (``failing``: not available, below the outage threshold; also counted as down)."""

    total: int = 0
    up: int = 0
    down: int = 0
    unknown: int = 0
    failing: int = 0
    maintenance: int = 0  # checked during a maintenance window: no verdict

    def as_json(self) -> dict[str, int]:
        return {
            "total": self.total,
            "up": self.up,
            "down": self.down,
            "unknown": self.unknown,
            "failing": self.failing,
            "maintenance": self.maintenance,
        }


@dataclass(slots=True)
class Section:
    id: int | None  # None: the resources in no group
    name: str
    visibility: str
    rows: list[Row] = field(default_factory=list)
    # Above the collapse threshold (kairos.web.dashboard_scale): the section's counts, whether its rows wait
    # for the visitor to open it, how many members it shows in all, and the offset of the next page of rows.
    counts: Counts | None = None
    collapsed: bool = False
    matched: int = 0
    next_offset: int | None = None


@dataclass(slots=True)
class Board:
    sections: list[Section]
    edge: int  # start (epoch seconds) of the last timeline block
    now: float
    total: int = 0  # distinct resources
    up: int = 0
    down: int = 0
    unknown: int = 0
    beat_size: int = 60  # checks in a heartbeat bar (the board's ``recent.size``)
    viewer: str = "visitor"  # admin / user / visitor: what the empty board suggests
    # Above the collapse threshold: the counts, what is down or failing now, and the server-side filter.
    scaled: bool = False
    counts: Counts | None = None
    show_problems: bool = False  # the "Problems" section (first page of groups, no filter)
    problems: list[Row] = field(default_factory=list)
    problems_total: int = 0
    query: str = ""
    status_filter: str = ""
    groups_next: int | None = None  # more groups than one page shows: where the next page of them starts
    groups_left: int = 0

    @property
    def summary(self) -> str:
        if self.total == 0:
            return "No resources to show yet"
        if self.down:
            return f"{self.down} resource{'s' if self.down != 1 else ''} not available"
        if self.unknown == self.total:
            return "Waiting for the first checks"
        return "All systems operational"


def run_length(text: str) -> str:
    """``AAAAN--`` -> ``A4N-2``: a letter, then its count when above 1. Most rows are one or two runs."""
    return "".join(ch + (str(n) if (n := len(list(group))) > 1 else "") for ch, group in groupby(text))


def status_of(state: RuntimeState | None) -> str:
    return (state.status if state else Status.UNKNOWN).api_name


def cert_marker(state: RuntimeState | None, now: float) -> int | None:
    """Days left of the last check's certificate when within the resource's ``certExpiryDays`` (recorded with
    it), else None. Read from the state in memory; days are counted now, so the marker appears as time passes.
    Only a number of days, as the public cert badge shows: no host names, so every caller seeing the row gets
    it."""
    cert = certificate_of(state.last_details) if state is not None else None
    if cert is None:
        return None
    threshold = cert.get("expiryDays")
    left = seconds_left(cert, datetime.fromtimestamp(now, UTC))
    if not isinstance(threshold, int) or threshold <= 0 or left is None or left >= threshold * DAY_S:
        return None
    return int(left / DAY_S)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def live_update(runtime: Runtime, resource_id: int, now: float, reveal: bool = True) -> dict[str, Any] | None:
    """One resource as the stream sends it (None if it no longer exists). Without ``reveal`` (the site hides
    targets from this anonymous subscriber) the message is rebuilt without the target in it."""
    board = runtime.board
    state = board.state(resource_id)
    if state is None:
        return None
    letters, latencies = board.compact(resource_id, now)
    return {
        "resourceId": resource_id,
        "status": status_of(state),
        "checkedAt": _iso(state.last_checked_at),
        "latencyMs": shown_latency(state),
        "message": state.last_message
        if reveal
        else public_message(state.status.value, state.last_error_code, state.last_http_status),
        "outageSince": _iso(state.outage_since),
        "uptime": board.uptime_of(resource_id),
        # The block the result landed in: the last of the 96, starting at ``start`` (epoch seconds).
        "block": {"index": len(letters) - 1, "start": bucket_of(now, FIFTEEN_MIN), "status": letters[-1]},
        "blockLatencyMs": latencies[-1],
        "certDays": cert_marker(state, now),  # null: no marker
        "beats": run_length(board.recent.letters(resource_id)),  # the heartbeat bar, whole (a few bytes)
        "failStreak": failing_streak(state),  # the page knows each row's threshold
    }


async def _shown_groups(session: AsyncSession, caller: Caller, only: int | None) -> list[Section]:
    g = ResourceGroup
    stmt = select(g.id, g.name, g.visibility).order_by(g.display_order, g.name_key, g.id)
    if not caller.is_admin:
        stmt = stmt.where(g.visibility.in_(visible_group_kinds(caller)))
    if only is not None:
        stmt = stmt.where(g.id == only)
    return [Section(gid, name, visibility) for gid, name, visibility in await session.execute(stmt)]


def _row(runtime: Runtime, rid: int, fields: tuple[str, str, str, bool], now: float, marks: Schedule) -> Row:
    board = runtime.board
    state = board.state(rid)
    name, kind, target, enabled = fields
    return Row(
        id=rid,
        name=name,
        kind=kind,
        target=target,
        enabled=enabled,
        status=status_of(state),
        checked_at=state.last_checked_at if state else None,
        latency_ms=shown_latency(state),
        outage_since=state.outage_since if state else None,
        uptime=board.uptime_of(rid),
        timeline=run_length(marked(board.letters(rid, now), marks, rid, bucket_of(now, FIFTEEN_MIN))),
        cert_days=cert_marker(state, now),
        beats=run_length(board.recent.letters(rid)),
        fail_streak=failing_streak(state),
    )


@dataclass(slots=True)
class Placement:
    """Who goes where, before any row is built: the sections the caller may see, each resource's columns
    (name, kind, target, enabled, order, threshold) and each section's (order, name key, id) entries."""

    sections: list[Section]
    resources: dict[int, tuple[str, str, str, bool, int, int | None, str]]  # ... and the name's natural key
    placed: dict[int | None, list[tuple[int, str, int]]]

    def ids(self) -> set[int]:
        """The distinct resources shown (a resource in two groups counts once)."""
        return {rid for entries in self.placed.values() for _o, _n, rid in entries}

    def keep_only(self, ids: set[int]) -> None:
        """Only the resources in ``ids``, and no section left empty by that."""
        for gid, entries in self.placed.items():
            self.placed[gid] = [e for e in entries if e[2] in ids]
        self.sections[:] = [s for s in self.sections if self.placed.get(s.id)]

    def members(self, section_id: int | None) -> list[int]:
        """The section's resource ids in display order (then natural name order)."""
        return [rid for _o, _n, rid in sorted(self.placed.get(section_id, []))]


async def placement(
    session: AsyncSession, caller: Caller, group_id: int | None = None, tag: tuple[str, str] | None = None
) -> Placement:
    """Three column queries, no row built: cheap enough to run on every page at 100,000 resources."""
    sections = await _shown_groups(session, caller, group_id)
    by_group = {s.id: s for s in sections}
    r, m = Resource, GroupMember
    columns = select(r.id, r.name, r.kind, r.target, r.enabled, r.display_order, r.outage_threshold, r.name_key)
    memberships = select(m.group_id, m.resource_id, m.display_order)
    if group_id is not None:  # one group (its page, its rows opened on the board): only its members are read
        columns = columns.where(r.id.in_(select(m.resource_id).where(m.group_id == group_id)))
        memberships = memberships.where(m.group_id == group_id)
    resources = {
        rid: (name, kind, target, enabled, order, threshold, key)
        for rid, name, kind, target, enabled, order, threshold, key in await session.execute(columns)
    }
    if tag is not None:
        tagged = await tagged_ids(session, *tag)
        resources = {rid: v for rid, v in resources.items() if rid in tagged}
    members = (await session.execute(memberships)).all()
    grouped = {rid for _gid, rid, _order in members}
    placed: dict[int | None, list[tuple[int, str, int]]] = {}
    for gid, rid, order in members:
        if gid in by_group and rid in resources:
            placed.setdefault(gid, []).append((order, resources[rid][6], rid))  # ties: natural name order
    if group_id is None:
        loose = [(v[4], v[6], rid) for rid, v in resources.items() if rid not in grouped]
        if loose:
            sections.append(Section(None, "Other resources" if sections else "Resources", PUBLIC))
            placed[None] = loose
    if tag is not None:
        sections[:] = [s for s in sections if placed.get(s.id)]
    return Placement(sections, resources, placed)


class RowMaker:
    """Builds rows for any resources of a placement: the tag labels, maintenance marks and kind thresholds
    are read once (three small queries), each row from memory."""

    def __init__(self, runtime: Runtime, place: Placement, now: float) -> None:
        self._runtime = runtime
        self._place = place
        self.now = now
        self.edge = bucket_of(now, FIFTEEN_MIN)
        self._built: dict[int, Row] = {}
        self._labels: dict[int, list[tuple[str, str, str]]] = {}
        self._marks: Schedule | None = None
        self._types: dict[str, Any] = {}

    async def read(self, session: AsyncSession) -> RowMaker:
        self._labels = await tag_labels(session)
        self._marks = await day_schedule(session, self.edge)  # maintenance windows on the timeline
        self._types = await load_type_settings(session)  # each kind's outage threshold, for "failing, 1 of 3"
        return self

    def row(self, rid: int) -> Row:
        row = self._built.get(rid)
        if row is None:
            columns = self._place.resources[rid]
            assert self._marks is not None, "read() first"
            row = self._built[rid] = _row(self._runtime, rid, columns[:4], self.now, self._marks)
            row.tags = self._labels.get(rid, [])
            kind_settings = self._types.get(columns[1])
            row.threshold = columns[5] or (kind_settings.outage_threshold if kind_settings else 3)
        return row

    @property
    def built(self) -> list[Row]:
        return list(self._built.values())


def new_board(runtime: Runtime, caller: Caller, sections: list[Section], now: float) -> Board:
    board = Board(sections, bucket_of(now, FIFTEEN_MIN), now, beat_size=runtime.board.recent.size)
    board.viewer = "admin" if caller.is_admin else "user" if caller.authenticated else "visitor"
    return board


async def load_board(
    session: AsyncSession,
    runtime: Runtime,
    caller: Caller,
    group_id: int | None = None,
    tag: tuple[str, str] | None = None,
    place: Placement | None = None,
) -> Board:
    """Every section the caller may see (only ``group_id``'s when given) with its rows in display order; with
    ``tag`` (key, value), only the resources carrying it, and no section left empty by that filter."""
    now = time.time()
    if place is None:
        place = await placement(session, caller, group_id, tag)
    board = new_board(runtime, caller, place.sections, now)
    rows = await RowMaker(runtime, place, now).read(session)
    for section in place.sections:
        section.rows.extend(rows.row(rid) for rid in place.members(section.id))
    for row in rows.built:
        board.total += 1
        if row.status == "available":
            board.up += 1
        elif row.status == "not-available":
            board.down += 1
        else:
            board.unknown += 1
    return board


async def group_visible(session: AsyncSession, caller: Caller, group_id: int) -> ResourceGroup | None:
    group = await session.get(ResourceGroup, group_id)
    if group is None or not can_see_group(caller, group.visibility):
        return None
    return group
