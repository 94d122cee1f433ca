from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from kairos.db.models import Outage, Resource, ResourceTypeSettings
from kairos.history.reader import everything
from kairos.probes.base import Status
from tests.harness import Running, local_scheduler, make_settings, running_kairos, wait_for
from tests.scheduler.conftest import Target


async def add(
    k: Running,
    target: str,
    *,
    kind: str = "HTTP",
    interval: int | None = None,
    timeout: float | None = None,
    name: str = "svc",
) -> int:
    async with k.runtime.sessionmaker() as s:
        row = Resource(name=name, kind=kind, target=target, config={}, interval_s=interval, timeout_s=timeout)
        s.add(row)
        await s.commit()
        rid = row.id
    await k.runtime.scheduler.resource_changed(rid)
    return rid


async def count_results(k: Running, rid: int) -> int:
    await k.runtime.scheduler.flush_results()
    async with k.runtime.sessionmaker() as s:
        return len(await everything(s, rid))


async def test_a_new_resource_is_checked_at_once_and_its_result_stored(kairos: Running, target: Target) -> None:
    rid = await add(kairos, target.url("/ok"))
    state = kairos.runtime.board.states
    await wait_for(lambda: state[rid].last_checked_at is not None, timeout=1.0)
    assert state[rid].status is Status.AVAILABLE
    assert await count_results(kairos, rid) == 1


async def test_per_kind_parallelism_is_never_exceeded(kairos: Running, target: Target) -> None:
    async with kairos.runtime.sessionmaker() as s:
        s.add(ResourceTypeSettings(kind="HTTP", interval_s=60, parallelism=2, timeout_s=10))
        await s.commit()
    await kairos.runtime.scheduler.reload_type_settings()
    ids = [await add(kairos, target.url(f"/slow/150?n={i}"), name=f"s{i}") for i in range(8)]
    state = kairos.runtime.board.states
    await wait_for(lambda: all(state[i].last_checked_at for i in ids), timeout=10)
    assert target.peak == 2


async def test_check_now_joins_a_check_that_is_already_running(kairos: Running, target: Target) -> None:
    rid = await add(kairos, target.url("/slow/300"))
    await wait_for(lambda: target.running == 1)
    first, second = await asyncio.gather(
        kairos.runtime.scheduler.check_now(rid), kairos.runtime.scheduler.check_now(rid)
    )
    assert first is second
    assert target.hits["/slow/300"] == 1


async def test_a_hanging_check_is_cut_at_its_timeout_and_others_go_on(kairos: Running, target: Target) -> None:
    hung = await add(kairos, target.url("/hang"), timeout=1, name="hung")
    fine = await add(kairos, target.url("/ok"), name="fine")
    state = kairos.runtime.board.states
    await wait_for(lambda: state[fine].last_checked_at is not None, timeout=2)
    await wait_for(lambda: state[hung].last_checked_at is not None, timeout=5)
    assert state[hung].status is Status.NOT_AVAILABLE
    assert state[hung].last_error_code == "timeout"


async def test_disabling_and_deleting_take_effect_at_once(kairos: Running, target: Target) -> None:
    sched = local_scheduler(kairos.runtime)
    rid = await add(kairos, target.url("/ok"))
    await wait_for(lambda: kairos.runtime.board.states[rid].last_checked_at is not None)
    async with kairos.runtime.sessionmaker() as s:
        row = await s.get(Resource, rid)
        assert row is not None
        row.enabled = False
        await s.commit()
    await sched.resource_changed(rid)
    assert sched.run_due(now=10**12) == 0  # nothing is handed out, however late it is
    async with kairos.runtime.sessionmaker() as s:
        await s.delete(await s.get(Resource, rid))
        await s.commit()
    sched.resource_deleted(rid)
    assert rid not in sched.resources and rid not in kairos.runtime.board.states


async def test_after_the_first_pass_checks_spread_over_the_interval(kairos: Running, target: Target) -> None:
    sched = local_scheduler(kairos.runtime)
    ids = [await add(kairos, target.url(f"/ok?{i}"), interval=100, name=f"r{i}") for i in range(40)]
    await wait_for(lambda: all(kairos.runtime.board.states[i].last_checked_at for i in ids), timeout=10)
    offsets = sorted(
        sched._due[i] - kairos.runtime.board.states[i].last_checked_at.timestamp()  # type: ignore[union-attr]
        for i in ids
    )
    # The first check runs at once, the next on the resource's slot at least half an interval later.
    assert offsets[0] >= 50 and offsets[-1] <= 150
    assert offsets[-1] - offsets[0] > 50  # spread over the interval, not one burst


async def test_streaks_and_open_outages_continue_after_a_restart(db_url: str, tmp_path: Path, target: Target) -> None:
    settings = make_settings(db_url, tmp_path)
    target.status = 503
    async with running_kairos(settings) as k:
        rid = await add(k, target.url("/ok"), interval=3600)
        await wait_for(lambda: k.runtime.board.states[rid].last_checked_at is not None)
        for _ in range(2):
            await k.runtime.scheduler.check_now(rid)
        opened = k.runtime.board.states[rid].outage_since
        assert opened is not None
    async with running_kairos(settings) as k:
        sched = local_scheduler(k.runtime)
        # The start-up pass continues the streak (generous wait: under a loaded CI the start-up takes longer).
        await wait_for(lambda: k.runtime.board.states[rid].fail_streak == 4, timeout=30)
        assert k.runtime.board.states[rid].outage_since == opened
        target.status = 200
        await sched.check_now(rid)
        assert k.runtime.board.states[rid].outage_since == opened  # one success is not a recovery
        await sched.check_now(rid)
        assert k.runtime.board.states[rid].outage_since is None
        await sched.flush_results()
        async with k.runtime.sessionmaker() as s:
            outages = (await s.execute(select(Outage))).scalars().all()
    assert len(outages) == 1 and outages[0].ended_at is not None


async def test_shutdown_cuts_in_flight_checks_and_keeps_what_was_recorded(
    db_url: str, tmp_path: Path, target: Target
) -> None:
    settings = make_settings(db_url, tmp_path, shutdown_grace_s=1.0)
    async with running_kairos(settings) as k:
        fine = await add(k, target.url("/ok"), name="fine")
        await add(k, target.url("/hang"), timeout=60, name="hung")
        await wait_for(lambda: k.runtime.board.states[fine].last_checked_at is not None)
        await wait_for(lambda: target.running == 1)
        loop = asyncio.get_running_loop()
        started = loop.time()
    assert loop.time() - started < 5  # the grace period, not the 60 s check timeout
    async with running_kairos(settings) as k, k.runtime.sessionmaker() as s:
        assert len(await everything(s, fine)) >= 1


async def test_after_a_crash_the_journal_restores_streaks_and_counts_each_result_once(
    db_url: str, tmp_path: Path, target: Target
) -> None:
    """A status flip is not written at once (the journal has it): a crash after the flush must lose nothing."""
    settings = make_settings(db_url, tmp_path)
    target.status = 503
    async with running_kairos(settings) as k:
        sched = local_scheduler(k.runtime)
        rid = await add(k, target.url("/ok"), interval=3600)
        await wait_for(lambda: k.runtime.board.states[rid].last_checked_at is not None)
        target.status = 200
        for _ in range(2):
            await sched.check_now(rid)
        await sched.flush_results()

        async def crash() -> None:  # the process dies: no state saved at stop
            return None

        sched.recorder.save_states = crash  # type: ignore[method-assign]
    async with running_kairos(settings) as k:
        await wait_for(lambda: k.runtime.board.states[rid].ok_streak == 3)  # two replayed, one start-up check
        state = k.runtime.board.states[rid]
        assert state.status.value == "AVAILABLE" and state.fail_streak == 0
        assert k.runtime.board.uptime_of(rid)["h24"] == 75.0  # 3 up, 1 down: nothing counted twice
