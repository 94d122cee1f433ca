"""Checks spread evenly over the interval: the real Scheduler on an injected clock against a loopback target.

Time moves only when the test moves it (in steps of STEP seconds); every check really runs against the target,
and the board tells the test which resource was checked at which (fake) time."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kairos.credentials import CredentialStore
from kairos.crypto import SecretBox
from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import Resource, ResourceTypeSettings
from kairos.scheduler.board import LiveBoard
from kairos.scheduler.loop import Scheduler
from kairos.scheduler.slots import slots_of
from kairos.settings import Settings
from tests.harness import make_settings
from tests.scheduler.conftest import Target

T0 = 1_773_000_000.0  # a multiple of 20 and 60, so whole-second bins line up with the intervals
STEP = 0.05  # how far the fake clock moves between two dispatch rounds: a check is at most this late


class Clocked:
    """One Scheduler on a fake clock; ``checks`` lists (resource id, time) of every check, in order."""

    def __init__(self, sm: async_sessionmaker[AsyncSession], settings: Settings, dialect: str, now: float) -> None:
        self.now = now
        self.checks: list[tuple[int, float]] = []
        credentials = CredentialStore(sm, SecretBox(settings.resolved_secret()))
        board = LiveBoard(on_change=lambda rid: self.checks.append((rid, self.now)))
        self.scheduler = Scheduler(sm, settings, credentials, dialect, board, clock=lambda: self.now)

    async def dispatch(self) -> int:
        """One dispatch round at the current time; returns when every check it handed out has finished."""
        target = len(self.checks) + self.scheduler.run_due(self.now)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while len(self.checks) < target:
            assert loop.time() < deadline, "checks did not finish"
            await asyncio.sleep(0.001)
        return target

    async def run_until(self, end: float) -> None:
        while self.now < end:
            self.now = min(end, self.now + STEP)
            await self.dispatch()

    def times(self, rid: int) -> list[float]:
        return [t for r, t in self.checks if r == rid]


class World:
    """A migrated database and a loopback target; schedulers on fake clocks are made over it."""

    def __init__(self, engine: AsyncEngine, settings: Settings, target: Target) -> None:
        self.engine = engine
        self.sm = make_sessionmaker(engine)
        self.settings = settings
        self.target = target
        self.started: list[Scheduler] = []

    async def add(self, count: int, interval: int | None) -> list[int]:
        async with self.sm() as s:
            rows = [
                Resource(name=f"r{i}", kind="HTTP", target=self.target.url(f"/ok?{i}"), config={}, interval_s=interval)
                for i in range(count)
            ]
            s.add_all(rows)
            await s.commit()
            return [r.id for r in rows]

    async def scheduler(self, now: float) -> Clocked:
        """A scheduler loaded at ``now`` (its start-up pass due at once), as ``kairos serve`` starts one."""
        clocked = Clocked(self.sm, self.settings, self.engine.dialect.name, now)
        await clocked.scheduler.load()
        self.started.append(clocked.scheduler)
        return clocked

    async def stop(self, clocked: Clocked) -> None:
        self.started.remove(clocked.scheduler)
        await clocked.scheduler.stop()


@pytest.fixture
async def world(db_url: str, tmp_path: Path, target: Target) -> AsyncIterator[World]:
    settings = make_settings(db_url, tmp_path)
    await asyncio.to_thread(upgrade_to_head, settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    w = World(engine, settings, target)
    yield w
    for scheduler in w.started:
        await scheduler.stop()
    await engine.dispose()


def off_slot(rid: int, interval: float, t: float) -> float:
    """How far ``t`` is from the resource's nearest slot at ``interval`` (seconds, either side)."""
    d = (t - slots_of(rid, interval).offset) % interval
    return min(d, interval - d)


def busiest_over_mean(times: Sequence[float], start: float, end: float) -> float:
    per_second = Counter(int(t - start) for t in times if start <= t < end)
    mean = len([t for t in times if start <= t < end]) / (end - start)
    return max(per_second.values()) / mean


def assert_all(ids: Sequence[int], ok: Callable[[int], bool]) -> None:
    bad = [rid for rid in ids if not ok(rid)]
    assert not bad, f"{len(bad)} of {len(ids)} resources, e.g. {bad[:5]}"


async def test_after_the_first_pass_checks_are_spread_evenly_over_the_interval(world: World) -> None:
    ids = await world.add(500, interval=20)
    c = await world.scheduler(T0)
    await c.dispatch()
    assert len(c.checks) == 500 and {t for _, t in c.checks} == {T0}  # the start-up pass: all at once
    await c.run_until(T0 + 71)
    times = {rid: c.times(rid) for rid in ids}
    # The second check eases into the slot: at least half an interval after the first, at most 1.5 intervals.
    assert_all(ids, lambda r: 10 <= times[r][1] - T0 <= 30 + STEP)
    # From then on every check is on its slot, exactly one interval apart.
    assert_all(ids, lambda r: all(off_slot(r, 20, t) <= STEP for t in times[r][1:]))
    assert_all(ids, lambda r: all(abs(b - a - 20) <= STEP for a, b in pairwise(times[r][1:])))
    # The target sees a flat rate: in two steady intervals, each second gets about 1/20 of the checks.
    steady = [t for _, t in c.checks if T0 + 30 <= t < T0 + 70]
    assert len(steady) == 1000
    assert busiest_over_mean(steady, T0 + 30, T0 + 70) <= 1.25  # the issue asks for <= 1.5


async def test_a_new_resource_is_checked_at_once_then_lands_in_its_slot(world: World) -> None:
    c = await world.scheduler(T0)
    c.now = T0 + 7.3
    (rid,) = await world.add(1, interval=60)
    await c.scheduler.resource_changed(rid)
    await c.dispatch()
    assert c.times(rid) == [T0 + 7.3]
    await c.run_until(T0 + 7.3 + 220)
    first, second, *later = c.times(rid)
    assert 30 <= second - first <= 90 + STEP and off_slot(rid, 60, second) <= STEP
    assert [round(b - a) for a, b in pairwise([second, *later])] == [60] * len(later)


async def test_a_restart_keeps_every_resource_in_the_same_slot(world: World) -> None:
    ids = await world.add(60, interval=20)
    before = await world.scheduler(T0)
    await before.run_until(T0 + 60)
    await world.stop(before)
    # Restarted at an odd moment: the start-up pass runs at once, then each resource is back in its old slot.
    t1 = T0 + 1000.37
    after = await world.scheduler(t1)
    await after.dispatch()
    await after.run_until(t1 + 60)

    def phase(c: Clocked, rid: int, since: float) -> float:
        return c.times(rid)[-1] % 20 if c.times(rid)[-1] >= since else -1.0

    for rid in ids:
        old, new = phase(before, rid, T0 + 30), phase(after, rid, t1 + 30)
        assert min(abs(old - new), 20 - abs(old - new)) <= STEP, rid


async def test_a_scheduler_behind_by_several_intervals_skips_the_missed_slots_without_a_burst(world: World) -> None:
    ids = await world.add(60, interval=20)
    c = await world.scheduler(T0)
    await c.run_until(T0 + 50)
    # Asleep for 3.5 intervals (a suspended VM, a stalled loop): each resource is checked once, not 3 or 4 times.
    woke = T0 + 120
    c.now = woke
    handed = len(c.checks)
    await c.dispatch()
    assert len(c.checks) - handed == 60
    # Then straight back to its own slot (the missed ones skipped): no second pile-up one interval later.
    await c.run_until(woke + 40)
    after = {rid: [t for t in c.times(rid) if t > woke] for rid in ids}
    assert_all(ids, lambda r: len(after[r]) == 2 and all(off_slot(r, 20, t) <= STEP for t in after[r]))
    assert_all(ids, lambda r: after[r][0] - woke <= 20 + STEP)


async def test_a_new_interval_moves_the_resource_into_its_slot_at_that_interval(world: World) -> None:
    async with world.sm() as s:
        s.add(ResourceTypeSettings(kind="HTTP", interval_s=20, parallelism=4, timeout_s=5))
        await s.commit()
    by_kind, own = await world.add(1, interval=None), await world.add(1, interval=20)
    ids = [*by_kind, *own]
    c = await world.scheduler(T0)
    await c.run_until(T0 + 50)
    assert_all(ids, lambda r: off_slot(r, 20, c.times(r)[-1]) <= STEP)
    changed = c.now
    async with world.sm() as s:  # the kind's interval and the other resource's own interval both go to 60 s
        await s.execute(update(ResourceTypeSettings).values(interval_s=60))
        await s.execute(update(Resource).where(Resource.id == own[0]).values(interval_s=60))
        await s.commit()
    await c.scheduler.reload_type_settings()
    await c.scheduler.resource_changed(own[0])  # an edited resource is checked at once
    await c.dispatch()
    await c.run_until(changed + 200)
    kind_times = [t for t in c.times(by_kind[0]) if t > changed]
    own_times = [t for t in c.times(own[0]) if t >= changed]
    assert own_times[0] == changed
    last_before = max(t for t in c.times(by_kind[0]) if t <= changed)
    assert kind_times[0] - last_before >= 30  # no check squeezed in right after the last one
    for rid, times in ((by_kind[0], kind_times), (own[0], own_times[1:])):
        assert all(off_slot(rid, 60, t) <= STEP for t in times), rid
        assert [round(b - a) for a, b in pairwise(times)] == [60] * (len(times) - 1)
