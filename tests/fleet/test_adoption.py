"""A worker's journal outlives it: registration refuses an id a live worker holds and takes over a dead one's;
the leader closes the journals of silent workers into blocks, once; a worker taken for dead stops."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import FleetLocation, FleetWorker, Resource, ResultBlock, ResultJournal
from kairos.fleet.adopt import Adopter, WorkerIdInUse, register
from kairos.fleet.heartbeat import Heartbeat
from kairos.history.codec import BlockBuilder
from kairos.history.reader import everything
from kairos.history.writer import Writer
from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from tests.harness import make_settings


def _settings(url: str, tmp_path: Path, worker: str, location: str = "eu"):  # type: ignore[no-untyped-def]
    return make_settings(url, tmp_path, role="worker", worker_id=worker, location=location, heartbeat_interval_s=1)


async def _journal(sessions: async_sessionmaker[AsyncSession], owner: str, location: str, n: int) -> int:
    async with sessions() as s, s.begin():
        rid = int(
            (
                await s.execute(
                    insert(Resource)
                    .values(name=owner, kind="HTTP", target="http://127.0.0.1:9/")
                    .returning(Resource.id)
                )
            ).scalar_one()
        )
        b = BlockBuilder()
        start = int(time.time() * 1000)
        for i in range(n):
            at = datetime.fromtimestamp((start + i * 1000) / 1000, UTC)
            b.add(start + i * 1000, ProbeResult(Status.AVAILABLE, "ok", phases=Phases(total_ms=3.0), checked_at=at))
        await Writer("postgresql").append_journal(s, [(rid, b)], datetime.now(UTC), owner=owner, location=location)
    return rid


async def test_an_id_held_by_a_live_worker_is_refused(
    pg_url: str, pg_sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    settings = _settings(pg_url, tmp_path, "w1")
    async with pg_sessions() as s, s.begin():
        await register(s, settings)
    with pytest.raises(WorkerIdInUse, match="'w1' is in use by a live worker"):
        async with pg_sessions() as s, s.begin():
            await register(s, settings)


async def test_a_restarted_worker_with_its_old_id_closes_what_it_journaled(
    pg_url: str, pg_sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    settings = _settings(pg_url, tmp_path, "pod-a")
    async with pg_sessions() as s, s.begin():
        await register(s, settings)
        await s.execute(update(FleetWorker).values(seen_at=datetime.now(UTC) - timedelta(seconds=30)))
    rid = await _journal(pg_sessions, "pod-a", "eu", 5)
    async with pg_sessions() as s, s.begin():
        assert await register(s, settings) == 5
    async with pg_sessions() as s:
        assert (await s.execute(select(func.count()).select_from(ResultJournal))).scalar_one() == 0
        assert [r.location for r in await everything(s, rid)] == ["eu"] * 5
        assert (await s.execute(select(FleetLocation.name))).scalars().all() == ["eu"]


async def test_the_leader_closes_a_silent_workers_journal_once_and_the_worker_stops(
    pg_url: str, pg_sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    dead, alive = _settings(pg_url, tmp_path, "dead"), _settings(pg_url, tmp_path, "alive", "us")
    for settings in (dead, alive):
        async with pg_sessions() as s, s.begin():
            await register(s, settings)
    rid_dead = await _journal(pg_sessions, "dead", "eu", 4)
    rid_alive = await _journal(pg_sessions, "alive", "us", 3)
    adopter = Adopter(pg_sessions, alive)
    assert await adopter.step() == 0  # both were seen just now
    async with pg_sessions() as s, s.begin():
        await s.execute(
            update(FleetWorker).where(FleetWorker.id == "dead").values(seen_at=datetime.now(UTC) - timedelta(minutes=5))
        )
    assert await adopter.step() == 4
    assert await adopter.step() == 0  # nothing is closed twice
    async with pg_sessions() as s:
        blocks = (await s.execute(select(ResultBlock.resource_id, ResultBlock.location))).all()
        assert [tuple(b) for b in blocks] == [(rid_dead, "eu")]
        assert len(await everything(s, rid_dead)) == 4
        assert len(await everything(s, rid_alive)) == 3  # still journaled: its owner is alive
        assert (await s.execute(select(FleetWorker.id))).scalars().all() == ["alive"]
    # The dead worker comes back (it was only frozen): its heartbeat finds its row gone and it stops.
    beat = Heartbeat(pg_sessions, dead, "test", lambda: False, registered=True)
    await beat.beat()
    assert beat.declared_dead.is_set()
    async with pg_sessions() as s:
        assert (await s.execute(select(FleetWorker.id))).scalars().all() == ["alive"]  # not re-created
