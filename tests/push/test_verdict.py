"""The PUSH verdict at given times (kairos.probes.push.judge), and the access log that never shows a token."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from kairos.api.routes.push import HIDE_TOKENS
from kairos.probes.base import Status
from kairos.probes.push import Beat, judge

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_ping_within_period_and_grace_is_available_and_one_after_is_missed() -> None:
    beat = Beat(issued_at=T0, last_ping_at=_at(0), last_signal="up", last_latency_ms=12.0)
    assert judge(beat, _at(90), 60, 30).status is Status.AVAILABLE
    late = judge(beat, _at(91), 60, 30)
    assert (late.status, late.error_code) == (Status.NOT_AVAILABLE, "heartbeat_missed")
    assert late.phases.total_ms == 12.0


def test_a_never_pinged_resource_is_unknown_until_its_first_ping_is_late() -> None:
    beat = Beat(issued_at=T0)
    assert judge(beat, _at(60), 60, 0).status is Status.UNKNOWN
    assert judge(beat, _at(61), 60, 0).error_code == "heartbeat_missed"


def test_a_started_job_that_does_not_finish_within_the_grace_is_missed() -> None:
    beat = Beat(issued_at=T0, last_ping_at=_at(0), last_signal="up", started_at=_at(10))
    assert judge(beat, _at(40), 3600, 30).status is Status.AVAILABLE
    overrun = judge(beat, _at(41), 3600, 30)
    assert overrun.error_code == "heartbeat_missed" and "not finished" in overrun.message


def test_a_down_ping_is_not_available_with_its_message() -> None:
    beat = Beat(issued_at=T0, last_ping_at=_at(0), last_signal="down", last_message="disk full")
    result = judge(beat, _at(1), 60, 0)
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "push_down")
    assert result.message.endswith("disk full")


def test_no_heartbeat_row_is_unknown() -> None:
    assert judge(None, T0, 60, 0).error_code == "push_no_token"


def test_the_access_log_line_shows_no_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/push/kp_secret123/start?msg=x", "1.1", 200), None,
    )  # fmt: skip
    assert HIDE_TOKENS.filter(record)
    line = record.getMessage()
    assert "kp_secret123" not in line and "/api/push/…/start?msg=x" in line
