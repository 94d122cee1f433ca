"""Folding one location's result into the fleet's state: the location's own streaks, then the quorum verdict
over every location's latest result, then the verdict's streaks and outages (kairos.scheduler.state).

Pure: the recorder loads and locks the states, calls :meth:`Fold.apply` for each result in time order, and
writes what changed."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kairos.fleet import quorum
from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from kairos.scheduler.catalog import Scheduled, TypeSettings
from kairos.scheduler.recorder import state_row
from kairos.scheduler.state import RuntimeState, Transition, apply_result

# A location's latest result votes while it is younger than two intervals plus the timeout plus this: a location
# that stopped checking a resource (its workers are busy or gone) must not hold the verdict with an old result.
FRESH_GRACE_S = 30.0


@dataclass(slots=True)
class Outcome:
    verdict: ProbeResult  # the verdict as a result: what the resource's state, outages and rollups count
    transition: Transition
    location_state: RuntimeState


@dataclass(slots=True)
class Fold:
    location: str  # where the results being folded were checked
    live: Collection[str]  # locations that count in quorums right now (fleet_location.up)
    resources: Mapping[int, Scheduled]
    types: Mapping[str, TypeSettings]
    # Every location's state of the resources being folded, updated as results are folded in.
    locations: dict[int, dict[str, RuntimeState]] = field(default_factory=dict)

    def apply(self, resource_id: int, result: ProbeResult, verdict_state: RuntimeState) -> Outcome:
        res = self.resources[resource_id]
        types = self.types[res.kind]
        outage, recovery = res.thresholds(types)  # its own, else its kind's
        mine = self.locations.setdefault(resource_id, {}).setdefault(self.location, RuntimeState())
        apply_result(mine, result, outage_threshold=outage, recovery_threshold=recovery)
        votes = self._votes(res, result.checked_at)
        if result.status is Status.MAINTENANCE:  # a window is on (the worker marked it): no vote, no outage
            verdict = result
        else:
            policy = res.quorum or types.quorum
            status = quorum.verdict(policy, (s.status for s in votes.values()), self._pending(res))
            verdict = _as_result(status, result, votes)
        transition = apply_result(verdict_state, verdict, outage_threshold=outage, recovery_threshold=recovery)
        return Outcome(verdict, transition, mine)

    def _pending(self, res: Scheduled) -> int:
        """Live locations that check ``res`` and have never reported it (no state at all)."""
        reported = self.locations.get(res.id, {})
        expected = set(self.live) if res.locations is None else set(self.live) & set(res.locations)
        return len(expected - set(reported) - {self.location})

    def _votes(self, res: Scheduled, now: datetime) -> dict[str, RuntimeState]:
        types = self.types[res.kind]
        horizon = 2 * float(res.interval_s or types.interval_s) + float(res.timeout_s or types.timeout_s)
        out: dict[str, RuntimeState] = {}
        for loc, state in self.locations.get(res.id, {}).items():
            if res.locations is not None and loc not in res.locations:
                continue
            if loc != self.location and loc not in self.live:
                continue
            checked = state.last_checked_at
            if checked is None or (now - checked).total_seconds() > horizon + FRESH_GRACE_S:
                continue
            out[loc] = state
        return out


def _as_result(status: Status, result: ProbeResult, votes: Mapping[str, RuntimeState]) -> ProbeResult:
    """The verdict as a result: this result when it agrees, else the newest result of a location that does
    (its message says why), with this check's time and latency; with several voters, each one's status."""
    base = result
    if status is not result.status:
        agreeing = [s.last for s in votes.values() if s.status is status and s.last is not None]
        if agreeing:
            base = max(agreeing, key=lambda r: r.checked_at)
    details: dict[str, Any] = dict(base.details or {})
    if base is not result and result.details and "digestChanged" in result.details:
        details["digestChanged"] = result.details["digestChanged"]  # this location saw the tag move
    if base is not result and result.details and "certificate" in result.details:
        # A location's stored state keeps no details: the certificate this location just saw is the freshest.
        details["certificate"] = result.details["certificate"]
    if len(votes) > 1:
        details["locations"] = {loc: s.status.value for loc, s in sorted(votes.items())}
    return ProbeResult(
        status=status,
        message=base.message,
        error_code=base.error_code if status is not Status.AVAILABLE else None,
        phases=result.phases,
        http_status=base.http_status,
        details=details,
        checked_at=result.checked_at,
    )


def location_state_of(row: Any) -> RuntimeState:
    """A ``location_state`` row (a Core row or an ORM object: the same attribute names) as a state."""
    status = Status(row.status)
    return RuntimeState(
        status=status,
        fail_streak=row.fail_streak,
        ok_streak=row.ok_streak,
        streak_started_at=row.streak_started_at,
        last=ProbeResult(
            status=status,
            message=row.last_message,
            error_code=row.last_error_code,
            phases=Phases(total_ms=row.last_latency_ms),
            http_status=row.last_http_status,
            checked_at=row.last_checked_at,
        ),
    )


def location_row(resource_id: int, location: str, state: RuntimeState) -> dict[str, Any]:
    """The ``location_state`` row of ``state``: the verdict's row (``state_row``) without what only the verdict
    keeps (details, digest), with its location."""
    row = state_row(resource_id, state)
    del row["last_details"], row["image_digest"]
    row["location"] = location
    row["last_message"] = row["last_message"][:2000]
    return row
