"""Where each resource's checks fall in time: a fixed slot inside its interval, anchored to the epoch.

A resource's slots are ``k * interval + offset`` (epoch seconds, integer ``k``); the offset is its phase (a fixed
function of its id, uniform in [0, 1)) times the interval. So N resources are spread evenly over the interval, and
the slots survive restarts and do not depend on when a resource was created or last checked. A check that runs
off its slot (the start-up pass, a new or edited resource, a manual check) is followed by the first slot at
least half an interval later: no second check right after the first, and never more than 1.5 intervals apart.
Pure arithmetic (no clock, no I/O) so that the rules are unit-tested on their own."""

from __future__ import annotations

import math
from dataclasses import dataclass

# After an off-slot check, the next check waits at least this share of the interval (then lands on the slot).
EASE = 0.5
# A due time this close to a slot counts as the slot (float rounding of k * interval + offset is far smaller).
ON_SLOT_TOLERANCE_S = 1e-3


# 2**64 / golden ratio: multiplying by it (Fibonacci hashing) spreads consecutive ids as evenly as any sequence
# can (each new id splits one of the largest gaps), where a random hash leaves binomial clumps: at 500 resources
# @20 s the busiest second gets 1.04x the mean instead of 1.44x. Ids need not be consecutive: any subset of
# them is still uniform (a random subset is as flat as random phases, no worse).
_GOLDEN = 0x9E3779B97F4A7C15


def phase(resource_id: int) -> float:
    """The resource's fixed place in any interval, in [0, 1); integer arithmetic, so the same everywhere."""
    return (resource_id * _GOLDEN) % 2**64 / 2**64


@dataclass(frozen=True, slots=True)
class Slots:
    """The slot grid ``k * interval + offset`` of one resource at one interval."""

    interval: float
    offset: float

    def at_or_after(self, t: float) -> float:
        """The first slot at ``t`` or later."""
        return self._slot(math.ceil(self._position(t)))

    def after(self, t: float) -> float:
        """The first slot strictly after ``t``."""
        return self._slot(math.floor(self._position(t)) + 1)

    def holds(self, t: float) -> bool:
        """Whether ``t`` is one of the slots (a check that ran on schedule, not at once)."""
        return self._position(t).is_integer()

    def _position(self, t: float) -> float:
        """``t`` counted in intervals from the first slot, snapped to a whole number when on a slot: at epoch
        scale ``(k * interval + offset - offset) / interval`` may come out a hair under k, and ``after`` would then
        return the very slot just checked."""
        x = (t - self.offset) / self.interval
        nearest = round(x)
        return float(nearest) if abs(x - nearest) * self.interval <= ON_SLOT_TOLERANCE_S else x

    def _slot(self, k: int) -> float:
        return k * self.interval + self.offset

    def eased(self, checked: float, now: float) -> float:
        """After an off-slot check at ``checked``: the first slot half an interval later, and not in the past."""
        return self.at_or_after(max(checked + self.interval * EASE, now))


def slots_of(resource_id: int, interval: float) -> Slots:
    """The slots of a resource; when its interval changes, its slots follow (same phase, new interval)."""
    return Slots(interval, phase(resource_id) * interval)


def next_due(slots: Slots, due: float, started: float, now: float) -> float:
    """When to check again after the check that was due at ``due``, started at ``started``, ended at ``now``.

    On schedule: the next slot not yet passed, so a check that ran late (Kairos busy or asleep for more than an
    interval) skips the missed slots instead of catching up in a burst. Off schedule: ease into the slot."""
    if slots.holds(due):
        return slots.after(max(due, now))
    return slots.eased(started, now)


# Dispatch ticks, longest first (kairos.scheduler.loop hands out each tick's checks together). Each divides a
# second, so a whole-second interval is a whole number of ticks and a slot keeps its place in its tick.
DISPATCH_TICKS_S = (0.1, 0.05, 0.04, 0.025, 0.02, 0.01)
CHECKS_PER_TICK = 10


def tick_for(rate_per_s: float) -> float:
    """The longest tick holding at most CHECKS_PER_TICK checks at this rate: few wake-ups, short queues."""
    return next((t for t in DISPATCH_TICKS_S if rate_per_s * t <= CHECKS_PER_TICK), DISPATCH_TICKS_S[-1])
