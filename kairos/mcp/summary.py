""" "What is down right now and since when": the visible, switched-on resources' current state from the live
board (no history scan), for the ``whatIsDown`` tool and the ``kairos://status`` resource."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_resource
from kairos.api.deps import Caller
from kairos.db.models import Resource
from kairos.mcp.models import DownResource, StatusSummary
from kairos.probes.base import Status
from kairos.runtime import Runtime
from kairos.scheduler.state import RuntimeState
from kairos.services.resources import list_resources


def _failing_since(state: RuntimeState) -> datetime | None:
    if state.outage_since is not None:
        return state.outage_since
    return state.streak_started_at if state.fail_streak > 0 else None


def _down(row: Resource, state: RuntimeState) -> DownResource:
    return DownResource(
        resource_id=row.id,
        name=row.name,
        resource_type=row.kind,
        current_status=state.status.api_name,
        failing_since=_failing_since(state),
        active_outage_since=state.outage_since,
        last_checked_at=state.last_checked_at,
        message=state.last.message if state.last is not None else None,
        error_code=state.last_error_code,
    )


def _is_down(state: RuntimeState | None) -> bool:
    return state is not None and (state.status is Status.NOT_AVAILABLE or state.outage_since is not None)


async def status_summary(session: AsyncSession, runtime: Runtime, caller: Caller) -> StatusSummary:
    rows = [r for r in await list_resources(session) if r.enabled and can_see_resource(caller, r)]
    board = runtime.board
    counts: Counter[Status] = Counter()
    down: list[DownResource] = []
    for row in rows:
        state = board.state(row.id)
        counts[state.status if state else Status.UNKNOWN] += 1
        if state is not None and _is_down(state):
            down.append(_down(row, state))
    far_future = datetime.max.replace(tzinfo=UTC)
    down.sort(key=lambda d: (d.failing_since or far_future, d.resource_id))
    return StatusSummary(
        generated_at=datetime.now(UTC),
        total=len(rows),
        available=counts[Status.AVAILABLE],
        not_available=counts[Status.NOT_AVAILABLE],
        unknown=counts[Status.UNKNOWN],
        down=down,
    )
