from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kairos.probes.base import ProbeResult, Status
from kairos.scheduler.state import RuntimeState, Transition, apply_result

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def result(status: Status, minute: int) -> ProbeResult:
    return ProbeResult(status, status.value, checked_at=T0 + timedelta(minutes=minute))


def run(statuses: list[Status], state: RuntimeState | None = None) -> tuple[RuntimeState, list[Transition]]:
    state = state or RuntimeState()
    events = [
        apply_result(state, result(s, i), outage_threshold=3, recovery_threshold=2) for i, s in enumerate(statuses)
    ]
    return state, events


def test_three_consecutive_failures_open_an_outage_dated_at_the_first_failure() -> None:
    state, events = run([Status.AVAILABLE, Status.NOT_AVAILABLE, Status.NOT_AVAILABLE, Status.NOT_AVAILABLE])
    assert state.outage_since == T0 + timedelta(minutes=1)
    assert [e.opened_at for e in events] == [None, None, None, T0 + timedelta(minutes=1)]


def test_two_failures_then_a_success_open_nothing() -> None:
    state, events = run([Status.NOT_AVAILABLE, Status.NOT_AVAILABLE, Status.AVAILABLE, Status.NOT_AVAILABLE])
    assert state.outage_since is None
    assert all(e.opened_at is None for e in events)


def test_two_consecutive_successes_close_the_outage_at_the_first_success() -> None:
    down = [Status.NOT_AVAILABLE] * 3
    state, events = run([*down, Status.AVAILABLE, Status.NOT_AVAILABLE, Status.AVAILABLE, Status.AVAILABLE])
    assert state.outage_since is None
    closed = [e.closed_at for e in events if e.closed_at]
    assert closed == [T0 + timedelta(minutes=5)]


def test_unknown_results_neither_break_nor_extend_a_failure_streak() -> None:
    state, _events = run(
        [Status.NOT_AVAILABLE, Status.UNKNOWN, Status.NOT_AVAILABLE, Status.UNKNOWN, Status.NOT_AVAILABLE]
    )
    assert state.fail_streak == 3
    assert state.outage_since == T0
    assert state.status is Status.NOT_AVAILABLE


def test_a_restored_state_continues_its_streak_after_a_restart() -> None:
    restored = RuntimeState(status=Status.NOT_AVAILABLE, fail_streak=2, streak_started_at=T0)
    _state, events = run([Status.NOT_AVAILABLE], restored)
    assert events[0].opened_at == T0
