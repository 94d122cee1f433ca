"""The in-memory 24-hour timeline the dashboard draws."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kairos.probes.base import Phases, ProbeResult, Status
from kairos.rollups.live_timeline import LiveTimeline


def _result(status: Status, at: datetime) -> ProbeResult:
    return ProbeResult(status, "x", phases=Phases(total_ms=12.0), checked_at=at)


def test_the_last_block_holds_the_worst_status_and_the_letters_match_the_full_form() -> None:
    now = datetime(2026, 11, 24, 12, 7, tzinfo=UTC)
    timeline = LiveTimeline()
    timeline.add(1, _result(Status.AVAILABLE, now - timedelta(minutes=1)))
    timeline.add(1, _result(Status.NOT_AVAILABLE, now))
    timeline.add(1, _result(Status.AVAILABLE, now - timedelta(minutes=30)))
    letters = timeline.letters(1, now.timestamp())
    assert len(letters) == 96
    assert letters[-1] == "N" and letters[-3] == "A" and set(letters[:-3]) == {"-"}
    assert letters == timeline.compact(1, now.timestamp())[0]


def test_blocks_age_out_after_a_day_and_an_unknown_resource_is_all_no_data() -> None:
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    timeline = LiveTimeline()
    timeline.add(1, _result(Status.AVAILABLE, start))
    assert timeline.letters(1, (start + timedelta(hours=23)).timestamp()).count("A") == 1
    assert timeline.letters(1, (start + timedelta(hours=25)).timestamp()) == "-" * 96
    assert timeline.letters(2, start.timestamp()) == "-" * 96
