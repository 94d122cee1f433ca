"""Per-resource runtime state and the pure rules that turn a result into streaks and outages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from kairos.probes.base import ProbeResult, Status

NOT_CHECKED = "not checked yet"


@dataclass(slots=True)
class RuntimeState:
    """What readers need about a resource right now, without touching the database.

    The streak fields are the verdict's bookkeeping (``apply_result``); ``last`` is the result they were folded
    from, kept whole rather than copied field by field. The ``last_*`` properties read it."""

    status: Status = Status.UNKNOWN
    fail_streak: int = 0
    ok_streak: int = 0
    streak_started_at: datetime | None = None
    outage_since: datetime | None = None
    last: ProbeResult | None = None
    image_digest: str | None = None

    @property
    def last_checked_at(self) -> datetime | None:
        return self.last.checked_at if self.last is not None else None

    @property
    def last_latency_ms(self) -> float | None:
        return self.last.phases.total_ms if self.last is not None else None

    @property
    def last_message(self) -> str:
        return self.last.message if self.last is not None else NOT_CHECKED

    @property
    def last_error_code(self) -> str | None:
        return self.last.error_code if self.last is not None else None

    @property
    def last_http_status(self) -> int | None:
        return self.last.http_status if self.last is not None else None

    @property
    def last_details(self) -> dict[str, Any]:
        return self.last.details if self.last is not None else {}


@dataclass(frozen=True, slots=True)
class Transition:
    """Outage events caused by one result (at most one of the two is set)."""

    opened_at: datetime | None = None
    closed_at: datetime | None = None


def apply_result(
    state: RuntimeState, result: ProbeResult, *, outage_threshold: int, recovery_threshold: int
) -> Transition:
    """Fold ``result`` into ``state`` and say whether an outage opened or closed.

    UNKNOWN (Kairos itself failed) neither breaks nor extends a streak: it says nothing about the target. Nor does
    MAINTENANCE (a window is on): an outage neither opens nor closes during a window (docs/maintenance.md)."""
    at = result.checked_at
    state.last = result
    state.status = result.status
    if not result.status.has_verdict:
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


def upside_down(result: ProbeResult) -> ProbeResult:
    """The result of an upside-down resource: AVAILABLE when the target failed the check, NOT_AVAILABLE (code
    ``upside_down``) when it passed; any other status stays (UNKNOWN: Kairos or its own path failed, no verdict)."""
    if result.status not in (Status.AVAILABLE, Status.NOT_AVAILABLE):
        return result
    if result.status is Status.NOT_AVAILABLE:
        message = f"down, as expected (upside-down): {result.message}"
        return replace(result, status=Status.AVAILABLE, message=message[:2000], error_code=None)
    message = f"up, but expected down (upside-down): {result.message}"
    return replace(result, status=Status.NOT_AVAILABLE, message=message[:2000], error_code="upside_down")
