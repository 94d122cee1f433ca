"""Occurrences of recurring windows: weekly times stay local across DST changes, cron windows follow their zone,
an early end cuts only the occurrence it falls in, and the engine's lookup follows scopes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kairos.scheduler.maintenance_windows import CRON, ONCE, WEEKLY, Schedule, WindowSpec, occurrences

BERLIN_SPRING = datetime(2026, 3, 29, tzinfo=UTC)  # Europe/Berlin: 02:00 CET -> 03:00 CEST that Sunday
BERLIN_AUTUMN = datetime(2026, 10, 25, tzinfo=UTC)  # 03:00 CEST -> 02:00 CET


def _weekly(**extra: object) -> WindowSpec:
    values: dict[str, object] = {
        "id": 1, "title": "patch", "schedule": WEEKLY, "starts_at": datetime(2026, 1, 1, tzinfo=UTC),
        "weekdays": (6,), "start_time": "01:30", "duration_minutes": 120, "timezone": "Europe/Berlin",
    }  # fmt: skip
    return WindowSpec(**(values | extra))  # type: ignore[arg-type]


def test_a_weekly_window_keeps_its_local_time_across_both_dst_changes() -> None:
    w = _weekly()
    spring = occurrences(w, BERLIN_SPRING - timedelta(days=8), BERLIN_SPRING + timedelta(days=8))
    assert [s.isoformat() for s, _ in spring] == [
        "2026-03-22T00:30:00+00:00",  # 01:30 CET
        "2026-03-29T00:30:00+00:00",  # 01:30 CET, the day of the change (before it)
        "2026-04-04T23:30:00+00:00",  # 01:30 CEST
    ]
    assert all(e - s == timedelta(hours=2) for s, e in spring)  # real time, also across the change
    autumn = occurrences(w, BERLIN_AUTUMN - timedelta(days=1), BERLIN_AUTUMN + timedelta(days=8))
    # 01:30 CEST, then 01:30 CET
    assert [s.isoformat() for s, _ in autumn] == ["2026-10-24T23:30:00+00:00", "2026-11-01T00:30:00+00:00"]


def test_a_weekly_time_in_the_spring_forward_gap_moves_an_hour_later_local() -> None:
    w = _weekly(start_time="02:30")
    (start, _end), *_ = occurrences(w, BERLIN_SPRING, BERLIN_SPRING + timedelta(days=1))
    assert start == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST: 02:30 does not exist that night


def test_a_cron_window_fires_at_local_times_in_its_zone() -> None:
    w = WindowSpec(
        id=2, title="backup", schedule=CRON, starts_at=datetime(2026, 1, 1, tzinfo=UTC), cron="0 3 * * *",
        duration_minutes=30, timezone="America/New_York",
    )  # fmt: skip
    dst = datetime(2026, 3, 8, tzinfo=UTC)  # New York: EST -> EDT at 02:00
    got = occurrences(w, dst - timedelta(days=1), dst + timedelta(days=2))
    assert [s.isoformat() for s, _ in got] == [
        "2026-03-07T08:00:00+00:00",  # 03:00 EST
        "2026-03-08T07:00:00+00:00",  # 03:00 EDT
        "2026-03-09T07:00:00+00:00",
    ]


def test_a_cron_expression_that_matches_no_date_yields_nothing_instead_of_failing() -> None:
    w = WindowSpec(
        id=4, title="never", schedule=CRON, starts_at=datetime(2026, 1, 1, tzinfo=UTC), cron="0 0 31 2 *",
        duration_minutes=5,
    )  # fmt: skip
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert occurrences(w, now, now + timedelta(days=8)) == []
    assert Schedule.build([w], {}, now, now + timedelta(days=8)).window_at(1, now) is None


def test_a_recurring_window_starts_within_its_bounds_and_an_early_end_cuts_one_occurrence() -> None:
    start = datetime(2026, 6, 1, tzinfo=UTC)  # a Monday
    w = WindowSpec(
        id=3, title="nightly", schedule=WEEKLY, starts_at=start, ends_at=start + timedelta(days=3),
        weekdays=(0, 1, 2, 3), start_time="00:00", duration_minutes=60, timezone="UTC",
        ended_at=start + timedelta(days=1, minutes=10),
    )  # fmt: skip
    got = occurrences(w, start - timedelta(days=2), start + timedelta(days=10))
    assert [(s.day, int((e - s).total_seconds() // 60)) for s, e in got] == [(1, 60), (2, 10), (3, 60)]


def test_the_schedule_answers_by_scope_and_merges_overlaps() -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    once = {"schedule": ONCE, "starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(hours=1)}
    windows = [
        WindowSpec(id=5, title="group", scope="groups", scope_ids=frozenset({9}), **once),  # type: ignore[arg-type]
        WindowSpec(id=4, title="one", scope="resources", scope_ids=frozenset({1}), **once),  # type: ignore[arg-type]
    ]
    s = Schedule.build(windows, {9: [1, 2]}, now - timedelta(days=1), now + timedelta(days=1))
    hit = s.window_at(1, now)
    assert hit is not None and hit.id == 4  # the first by id when several are on
    assert s.window_at(2, now) is not None and s.window_at(3, now) is None
    assert s.window_at(1, now + timedelta(hours=1)) is None  # the end is exclusive
    assert s.spans_of(1) == [(now - timedelta(hours=1), now + timedelta(hours=1))]
