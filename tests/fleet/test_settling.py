"""A leader that just took over, or whose database just came back, does not judge workers by heartbeats that
could not be written meanwhile: no location reported down, no worker taken for dead, until the workers had the
time to beat again (failed before: every PostgreSQL restart flipped every location down and, after a minute,
declared every worker dead)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import FleetLocation, FleetWorker, NotificationOutbox
from kairos.fleet.adopt import Adopter
from kairos.fleet.locations import Liveness
from kairos.notify.events import Event
from tests.harness import make_settings, wait_for


async def _stale_worker(sessions: async_sessionmaker[AsyncSession]) -> None:
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    async with sessions() as s, s.begin():
        await s.execute(insert(FleetLocation).values(name="eu", up=True, changed_at=long_ago))
        await s.execute(
            insert(FleetWorker).values(id="w", location="eu", started_at=long_ago, seen_at=long_ago, leader=False)
        )


async def test_a_new_leader_waits_before_reporting_a_location_down(
    pg_url: str, pg_sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await _stale_worker(pg_sessions)
    raised: list[Event] = []

    async def notify(session: AsyncSession, events: list[Event]) -> None:
        raised.extend(events)

    settings = make_settings(pg_url, tmp_path, heartbeat_interval_s=0.5)
    liveness = Liveness(pg_sessions, settings, notify)
    await liveness.start()
    try:
        assert await liveness.step() == []  # just took over: the worker may not have had the time to beat

        async def judged_down() -> bool:  # the flip is committed after the event is handed over: wait for both
            async with pg_sessions() as s:
                return (await s.execute(select(FleetLocation.up))).scalar_one() is False

        await wait_for(judged_down, timeout=10, interval=0.1)  # then it is judged
    finally:
        await liveness.stop()
    assert [e.kind for e in raised] == ["location_down"]


async def test_a_new_leader_takes_nobody_for_dead_before_the_adoption_delay(
    pg_url: str, pg_sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await _stale_worker(pg_sessions)
    settings = make_settings(pg_url, tmp_path, heartbeat_interval_s=0.5)  # taken for dead after 6 s
    adopter = Adopter(pg_sessions, settings)
    await adopter.start()
    try:
        await asyncio.sleep(2)
        async with pg_sessions() as s:
            assert (await s.execute(select(FleetWorker.id))).scalars().all() == ["w"]

        async def gone() -> bool:
            async with pg_sessions() as s:
                return (await s.execute(select(FleetWorker.id))).first() is None

        await wait_for(gone, timeout=15, interval=0.2)
    finally:
        await adopter.stop()
    async with pg_sessions() as s:
        assert (await s.execute(select(NotificationOutbox.id))).first() is None
