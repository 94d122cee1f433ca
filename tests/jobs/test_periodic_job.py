"""The periodic-job helper every background loop uses (outbox, discovery, housekeeping, recorder flush)."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest

from kairos.periodic import PeriodicJob
from tests.harness import wait_for

LOGGER = "kairos.tests.periodic"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_it_runs_after_the_first_delay_then_every_interval() -> None:
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def step() -> None:
        times.append(loop.time())

    job = PeriodicJob("ticker", step, every_s=0.1, first_after_s=0.2)
    started = loop.time()
    job.start()
    try:
        await wait_for(lambda: len(times) >= 4)
    finally:
        await job.stop()
    assert times[0] - started >= 0.19
    gaps = [b - a for a, b in itertools.pairwise(times)][:3]
    assert all(0.09 <= g < 0.5 for g in gaps), gaps
    assert job.rounds >= 4 and not job.alive


async def test_a_wake_up_brings_the_next_round_forward() -> None:
    wake = asyncio.Event()
    rounds = 0

    async def step() -> None:
        nonlocal rounds
        rounds += 1

    job = PeriodicJob("woken", step, every_s=3600, wake=wake)
    job.start()
    try:
        await wait_for(lambda: rounds == 1)
        wake.set()
        await wait_for(lambda: rounds == 2, timeout=2)
    finally:
        await job.stop()


async def test_a_failing_step_is_logged_once_with_its_traceback_then_rate_limited_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    calls = 0

    async def step() -> None:
        nonlocal calls
        calls += 1
        if calls <= 5:
            raise RuntimeError(f"database went away ({calls})")

    caplog.set_level(logging.INFO, logger=LOGGER)
    job = PeriodicJob("flaky", step, every_s=0.01, logger=logging.getLogger(LOGGER), log_every_s=60, clock=clock)
    job.start()
    try:
        await wait_for(lambda: job.rounds >= 2)  # the loop survived five failures
    finally:
        await job.stop()
    records = [r for r in caplog.records if r.name == LOGGER]
    assert job.failures == 5 and job.suppressed == 4
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].getMessage() == "flaky failed, retrying in the next round: RuntimeError: database went away (1)"
    assert records[0].exc_info is not None and "Traceback" in caplog.text and "in step" in caplog.text

    async def always_fails() -> None:
        raise OSError("still down")

    job = PeriodicJob("down", always_fails, every_s=0.01, logger=logging.getLogger(LOGGER), log_every_s=60, clock=clock)
    caplog.clear()
    assert not await job.run_guarded()
    for _ in range(3):
        assert not await job.run_guarded()
    clock.now += 60  # a minute later: one more line, counting the ones left out
    assert not await job.run_guarded()
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert lines == [
        "down failed, retrying in the next round: OSError: still down",
        "down failed, retrying in the next round: OSError: still down (3 similar failures not logged)",
    ]


async def test_stop_lets_a_running_step_finish_within_the_grace() -> None:
    finished = asyncio.Event()
    entered = asyncio.Event()

    async def step() -> None:
        entered.set()
        await asyncio.sleep(0.1)
        finished.set()

    job = PeriodicJob("short", step, every_s=3600)
    job.start()
    await entered.wait()
    await job.stop(grace_s=5)
    assert finished.is_set() and not job.alive


async def test_stop_cancels_a_step_that_hangs_once_the_grace_is_over() -> None:
    entered = asyncio.Event()
    cancelled = asyncio.Event()

    async def hangs() -> None:
        entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    loop = asyncio.get_running_loop()
    job = PeriodicJob("stuck", hangs, every_s=1)
    job.start()
    await entered.wait()
    before = loop.time()
    await job.stop(grace_s=0.2)
    took = loop.time() - before
    assert cancelled.is_set() and not job.alive
    assert 0.19 <= took < 1.0, took


async def test_stop_ends_a_pause_at_once() -> None:
    async def step() -> None:
        pass

    loop = asyncio.get_running_loop()
    job = PeriodicJob("idle", step, every_s=3600)
    job.start()
    await wait_for(lambda: job.rounds == 1)
    before = loop.time()
    await job.stop(grace_s=10)
    assert loop.time() - before < 0.5 and not job.alive
