"""Per-resource runtime state and the pure rules that turn a result into streaks and outages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kairos.probes.base import ProbeResult, Status


@dataclass(slots=True)
class RuntimeState:
    """What readers need about a resource right now, without touching the database."""

    status: Status = Status.UNKNOWN
    fail_streak: int = 0
    ok_streak: int = 0
    streak_started_at: datetime | None = None
    outage_since: datetime | None = None
    last_checked_at: datetime | None = None
    last_latency_ms: float | None = None
    last_message: str = "not checked yet"
    last_error_code: str | None = None
    last_http_status: int | None = None
    last_details: dict[str, Any] = field(default_factory=dict)
    image_digest: str | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """Outage events caused by one result (at most one of the two is set)."""

    opened_at: datetime | None = None
    closed_at: datetime | None = None


def apply_result(
    state: RuntimeState, result: ProbeResult, *, outage_threshold: int, recovery_threshold: int
) -> Transition:
    """Fold ``result`` into ``state`` and say whether an outage opened or closed.

    UNKNOWN (Kairos itself failed) neither breaks nor extends a streak: it says nothing about the target."""
    at = result.checked_at
    state.last_checked_at = at
    state.last_latency_ms = result.phases.total_ms
    state.last_message = result.message
    state.last_error_code = result.error_code
    state.last_http_status = result.http_status
    state.last_details = result.details
    state.status = result.status
    if result.status is Status.UNKNOWN:
        return Transition()
    if result.status is Status.NOT_AVAILABLE:
        if state.fail_streak == 0:
            state.streak_started_at = at
        state.fail_streak += 1
        state.ok_streak = 0
        if state.outage_since is None and state.fail_streak >= outage_threshold:
            state.outage_since = state.streak_started_at or at
            return Transition(opened_at=state.outage_since)
        return Transition()
    if state.ok_streak == 0:
        state.streak_started_at = at
    state.ok_streak += 1
    state.fail_streak = 0
    if state.outage_since is not None and state.ok_streak >= recovery_threshold:
        state.outage_since = None
        return Transition(closed_at=state.streak_started_at or at)
    return Transition()
