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
class Section:
    id: int | None  # None: the resources in no group
    name: str
    visibility: str
    rows: list[Row] = field(default_factory=list)


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
    stmt = select(g.id, g.name, g.visibility).order_by(g.display_order, g.id)
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


async def load_board(
    session: AsyncSession,
    runtime: Runtime,
    caller: Caller,
    group_id: int | None = None,
    tag: tuple[str, str] | None = None,
) -> Board:
    """Every section the caller may see (only ``group_id``'s when given) with its rows in display order; with
    ``tag`` (key, value), only the resources carrying it, and no section left empty by that filter."""
    now = time.time()
    sections = await _shown_groups(session, caller, group_id)
    by_group = {s.id: s for s in sections}
    r = Resource
    resources = {
        rid: (name, kind, target, enabled, order, threshold)
        for rid, name, kind, target, enabled, order, threshold in await session.execute(
            select(r.id, r.name, r.kind, r.target, r.enabled, r.display_order, r.outage_threshold)
        )
    }
    if tag is not None:
        tagged = await tagged_ids(session, *tag)
        resources = {rid: v for rid, v in resources.items() if rid in tagged}
    members = (
        await session.execute(select(GroupMember.group_id, GroupMember.resource_id, GroupMember.display_order))
    ).all()
    grouped = {rid for _gid, rid, _order in members}
    placed: dict[int | None, list[tuple[int, str, int]]] = {}
    for gid, rid, order in members:
        if gid in by_group and rid in resources:
            placed.setdefault(gid, []).append((order, resources[rid][0].lower(), rid))
    if group_id is None:
        loose = [(v[4], v[0].lower(), rid) for rid, v in resources.items() if rid not in grouped]
        if loose:
            sections.append(Section(None, "Other resources" if sections else "Resources", PUBLIC))
            placed[None] = loose
    if tag is not None:
        sections[:] = [s for s in sections if placed.get(s.id)]
    board = Board(sections, bucket_of(now, FIFTEEN_MIN), now, beat_size=runtime.board.recent.size)
    board.viewer = "admin" if caller.is_admin else "user" if caller.authenticated else "visitor"
    labels = await tag_labels(session)
    marks = await day_schedule(session, board.edge)  # maintenance windows on the timeline
    types = await load_type_settings(session)  # each kind's outage threshold, for "failing, 1 of 3"
    built: dict[int, Row] = {}
    for section in sections:
        for _order, _name, rid in sorted(placed.get(section.id, [])):
            row = built.get(rid)
            if row is None:
                row = built[rid] = _row(runtime, rid, resources[rid][:4], now, marks)
                row.tags = labels.get(rid, [])
                kind_settings = types.get(resources[rid][1])
                row.threshold = resources[rid][5] or (kind_settings.outage_threshold if kind_settings else 3)
            section.rows.append(row)
    for row in built.values():
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
