"""The slot arithmetic on its own (kairos.scheduler.slots): where a resource's checks fall, whatever the clock."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from kairos.scheduler.slots import DISPATCH_TICKS_S, Slots, next_due, phase, slots_of, tick_for

EPOCH = 1_773_000_000.0  # epoch-sized times: float rounding there is what the snapping guards against


def test_phases_are_fixed_per_id() -> None:
    # Pinned: a change here would move every resource to another slot on upgrade.
    assert [round(phase(i), 6) for i in (1, 2, 3, 1000)] == [0.618034, 0.236068, 0.854102, 0.033989]
    assert all(0.0 <= phase(i) < 1.0 for i in range(1, 10_000))


@pytest.mark.parametrize(("count", "interval"), [(500, 20), (5_000, 20), (10_000, 60), (6_000, 300)])
def test_consecutive_ids_fill_every_second_of_the_interval_evenly(count: int, interval: int) -> None:
    per_second = Counter(int(slots_of(rid, interval).offset) for rid in range(1, count + 1))
    mean = count / interval
    assert len(per_second) == interval
    assert max(per_second.values()) <= 1.1 * mean and min(per_second.values()) >= 0.9 * mean


def test_ids_left_after_deletions_are_still_spread() -> None:
    kept = random.Random(17).sample(range(1, 50_000), 5_000)
    per_second = Counter(int(slots_of(rid, 20).offset) for rid in kept)
    assert max(per_second.values()) <= 1.5 * 5_000 / 20


def test_slots_are_one_interval_apart_and_anchored_to_the_epoch() -> None:
    s = slots_of(42, 20)
    first = s.at_or_after(EPOCH + 3.3)
    assert EPOCH + 3.3 <= first < EPOCH + 23.3
    assert (first - s.offset) % 20 == pytest.approx(0, abs=1e-6)
    assert s.holds(first) and not s.holds(first + 0.5)
    assert s.after(first) == pytest.approx(first + 20, abs=1e-6)
    assert s.at_or_after(first) == first  # a slot is at-or-after itself
    assert s.after(first - 0.0001) == pytest.approx(first + 20, abs=1e-6)  # within tolerance: the same slot


def test_after_never_returns_the_slot_just_checked() -> None:
    rng = random.Random(3)
    for _ in range(20_000):
        s = slots_of(rng.randrange(1, 10**6), rng.choice([1, 20, 30, 60, 86_400]))
        slot = s.at_or_after(rng.uniform(1.6e9, 1.9e9))
        assert s.holds(slot)
        assert s.after(slot) - slot == pytest.approx(s.interval, abs=1e-5)


def test_a_check_on_its_slot_is_followed_by_the_next_slot() -> None:
    s = Slots(20.0, 7.0)
    slot = EPOCH + 7.0
    assert next_due(s, slot, started=slot + 0.002, now=slot + 0.03) == slot + 20


def test_a_late_check_keeps_the_next_slot_if_it_has_not_passed() -> None:
    s = Slots(20.0, 7.0)
    slot = EPOCH + 7.0
    assert next_due(s, slot, started=slot + 15, now=slot + 16) == slot + 20


def test_behind_by_more_than_an_interval_skips_the_missed_slots() -> None:
    s = Slots(20.0, 7.0)
    slot = EPOCH + 7.0
    assert next_due(s, slot, started=slot + 65, now=slot + 65.1) == slot + 80  # not slot + 20, 40 or 60


def test_a_check_at_once_eases_into_the_slot_at_least_half_an_interval_later() -> None:
    s = Slots(20.0, 7.0)
    assert next_due(s, EPOCH + 1.0, started=EPOCH + 1.0, now=EPOCH + 1.1) == EPOCH + 27.0  # EPOCH + 7 is too soon
    assert next_due(s, EPOCH + 15.0, started=EPOCH + 15.0, now=EPOCH + 15.1) == EPOCH + 27.0
    # A check that ran longer than half an interval: the next slot not yet passed, never one in the past.
    assert next_due(s, EPOCH + 1.0, started=EPOCH + 1.0, now=EPOCH + 30.0) == EPOCH + 47.0


def test_a_new_interval_keeps_the_phase_and_moves_the_slot() -> None:
    assert slots_of(9, 60).offset == pytest.approx(3 * slots_of(9, 20).offset)
    assert slots_of(9, 60).offset / 60 == pytest.approx(phase(9))


@pytest.mark.parametrize(
    ("resources", "interval", "tick"),
    [(0, 60, 0.1), (1_000, 20, 0.1), (5_000, 20, 0.04), (10_000, 20, 0.02), (100_000, 60, 0.0), (50_000, 5, 0.0)],
)
def test_the_dispatch_tick_holds_about_ten_checks_and_divides_a_second(
    resources: int, interval: int, tick: float
) -> None:
    chosen = tick_for(resources / interval)
    assert chosen == (tick or DISPATCH_TICKS_S[-1])
    assert round(1 / chosen) == 1 / chosen  # a whole number of ticks per second
