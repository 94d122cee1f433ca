"""Current status, timelines, uptime and latency samples.

Uptime and the 24-hour timeline come from the live board's in-memory counters (fed by every result, seeded
from the rollups); 7- and 30-day timelines from ``rollup_15m``; nothing here scans the raw history except
24-hour latency samples."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_resource, hidden_query
from kairos.api.deps import OPTIONAL_AUTH, Caller, CurrentCaller, RuntimeDep, SessionDep
from kairos.api.errors import error_responses, invalid, not_found
from kairos.api.ids import PathId
from kairos.api.redaction import public_message
from kairos.api.schemas.recent import Failing, RecentCheck, RecentChecks
from kairos.api.schemas.status import LatencySample, StatusUpdate, TimelineBlock, Uptime
from kairos.api.views import current_status, latency_public
from kairos.rollups.latency import latency_samples
from kairos.rollups.timeline import ALLOWED_HOURS, Block, timelines
from kairos.runtime import Runtime
from kairos.scheduler.catalog import load_type_settings
from kairos.scheduler.recent import failing_streak
from kairos.services.resources import load_resource, ordered_ids

router = APIRouter(prefix="/api/resources", tags=["status"])

_HOURS_DOC = "Window: 24, 168 (7 days) or 720 (30 days)."
Hours = Annotated[int, Query(description=_HOURS_DOC)]
IncludeTimeline = Annotated[bool, Query(alias="includeTimeline", description="Add the 96 timeline blocks.")]
_PUBLIC = (
    "Public, by group visibility (docs/access.md): anonymous callers see resources in no group or in a PUBLIC "
    "group, any key or signed-in user also AUTHENTICATED ones, admins also HIDDEN ones; others answer 404."
)


def _check_hours(hours: int) -> int:
    if hours not in ALLOWED_HOURS:
        raise invalid("hours", "hours must be 24, 168 or 720", status=400)
    return hours


def _block(b: Block) -> TimelineBlock:
    return TimelineBlock(
        status=b.status,
        timestamp=datetime.fromtimestamp(b.start, UTC),
        has_data=b.has_data,
        available=b.available,
        not_available=b.not_available,
        unknown=b.unknown,
        latency_ms=b.latency_ms,
        dns_resolution_ms=b.dns_ms,
        connect_ms=b.connect_ms,
        tls_handshake_ms=b.tls_ms,
    )


async def _status_updates(
    session: AsyncSession, runtime: Runtime, ids: list[int], hours: int, include_timeline: bool
) -> list[StatusUpdate]:
    now = time.time()
    board = runtime.board
    blocks: dict[int, list[Block]] = {}
    if include_timeline:
        # The last 24 hours live on the live board (what the dashboard reads too); longer windows
        # read older buckets from the rollups.
        blocks = board.blocks(ids, now) if hours == 24 else await timelines(session, ids, hours, now, board.blocks)
    out = []
    for rid in ids:
        state = board.state(rid)
        out.append(
            StatusUpdate(
                resource_id=rid,
                current_status=current_status(state),
                hours=hours,
                timeline_blocks=[_block(b) for b in blocks.get(rid, [])],
                uptime_percentage=board.uptime_window(rid, hours),
                active_outage_since=state.outage_since if state else None,
            )
        )
    return out


@router.get(
    "/status-updates",
    openapi_extra=OPTIONAL_AUTH,
    summary="Status, uptime and timeline of every resource",
    response_model=list[StatusUpdate],
    description=_PUBLIC + " " + _HOURS_DOC,
    responses=error_responses(400, 401, 422),
)
async def all_status_updates(
    session: SessionDep,
    runtime: RuntimeDep,
    caller: CurrentCaller,
    hours: Hours = 24,
    include_timeline: IncludeTimeline = True,
) -> list[StatusUpdate]:
    _check_hours(hours)
    ids = await ordered_ids(session, hidden_query(caller))
    return await _status_updates(session, runtime, ids, hours, include_timeline)


async def _visible(session: AsyncSession, caller: Caller, resource_id: int) -> int:
    row = await load_resource(session, resource_id)
    if not can_see_resource(caller, row):
        raise not_found("resource")
    return row.id


@router.get(
    "/{resource_id}/status-update",
    openapi_extra=OPTIONAL_AUTH,
    summary="Status, uptime and timeline of one resource",
    response_model=StatusUpdate,
    description=_PUBLIC + " " + _HOURS_DOC,
    responses=error_responses(400, 401, 404, 422),
)
async def status_update(
    resource_id: PathId,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: CurrentCaller,
    hours: Hours = 24,
    include_timeline: IncludeTimeline = True,
) -> StatusUpdate:
    _check_hours(hours)
    rid = await _visible(session, caller, resource_id)
    return (await _status_updates(session, runtime, [rid], hours, include_timeline))[0]


@router.get(
    "/{resource_id}/uptime",
    openapi_extra=OPTIONAL_AUTH,
    summary="Uptime over 24 hours, 7 days and 30 days",
    response_model=Uptime,
    description=_PUBLIC + " Each value is null, not 0, when nothing was checked "
    "in the window; UNKNOWN checks are left out.",
    responses=error_responses(401, 404, 422),
)
async def uptime(resource_id: PathId, session: SessionDep, runtime: RuntimeDep, caller: CurrentCaller) -> Uptime:
    rid = await _visible(session, caller, resource_id)
    windows = runtime.board.uptime_of(rid)
    return Uptime(h24=windows["h24"], d7=windows["d7"], d30=windows["d30"])


@router.get(
    "/{resource_id}/latency-samples",
    openapi_extra=OPTIONAL_AUTH,
    summary="Latency over a window, downsampled",
    response_model=list[LatencySample],
    description=_PUBLIC + " At most 500 points, oldest first, each the average of its slot (3 min for 24 h, "
    "30 min for 7 days, 90 min for 30 days); slots without checks are left out. " + _HOURS_DOC,
    responses=error_responses(400, 401, 404, 422),
)
async def latency(
    resource_id: PathId, session: SessionDep, caller: CurrentCaller, runtime: RuntimeDep, hours: Hours = 24
) -> list[LatencySample]:
    _check_hours(hours)
    rid = await _visible(session, caller, resource_id)
    samples = await latency_samples(session, rid, hours, time.time(), runtime.board.blocks)
    return latency_public(samples)


@router.get(
    "/{resource_id}/recent",
    openapi_extra=OPTIONAL_AUTH,
    summary="The last individual checks (the heartbeat bar)",
    response_model=RecentChecks,
    description=_PUBLIC + " The last 60 checks by default, oldest first, from memory; messages are built from the "
    "status, error code and HTTP status only, so they never name the target. `failing` is set while the latest "
    "check failed below the outage threshold.",
    responses=error_responses(401, 404, 422),
)
async def recent(resource_id: PathId, session: SessionDep, runtime: RuntimeDep, caller: CurrentCaller) -> RecentChecks:
    row = await load_resource(session, resource_id)
    if not can_see_resource(caller, row):
        raise not_found("resource")
    board = runtime.board
    checks = [
        RecentCheck(
            checked_at=b.checked_at,
            status=b.status.api_name,
            latency_ms=b.latency_ms,
            message=public_message(b.status.value, b.error_code, b.http_status),
        )
        for b in board.beats(row.id)
    ]
    streak = failing_streak(board.state(row.id))
    failing = None
    if streak:
        kind = (await load_type_settings(session)).get(row.kind)
        failing = Failing(streak=streak, threshold=row.outage_threshold or (kind.outage_threshold if kind else 3))
    return RecentChecks(resource_id=row.id, capacity=board.recent.size, checks=checks, failing=failing)
