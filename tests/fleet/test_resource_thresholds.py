"""The fleet's verdict (PostgreSQL) uses a resource's own thresholds: locations recording through the real
FleetRecorder open an outage after the resource's outageThreshold, not its kind's, and close it after its
recoveryThreshold. An upside-down result is inverted before it is recorded (kairos.scheduler.loop, shared by the
fleet's workers), so the fleet folds it like any other."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import FleetLocation, FleetWorker, Outage, Resource
from kairos.fleet.recorder import FleetRecorder
from kairos.metrics import Metrics
from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from kairos.scheduler import catalog
from kairos.scheduler.recorder import Record
from kairos.scheduler.state import Transition

# One location: with several, each location's result is folded into the verdict (one verdict result each), so
# streaks count results, not rounds (tests/fleet/test_verdict.py covers the quorum itself).
LOCATIONS = ["eu"]


async def _setup(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as s, s.begin():
        await s.execute(insert(FleetLocation), [{"name": loc, "up": True} for loc in LOCATIONS])
        now = datetime.now(UTC)
        workers = [{"id": f"w-{loc}", "location": loc, "started_at": now, "seen_at": now} for loc in LOCATIONS]
        await s.execute(insert(FleetWorker), workers)
        common = {"kind": "HTTP", "target": "http://127.0.0.1:9/", "interval_s": 10, "quorum": "all"}
        own = await s.execute(
            insert(Resource)
            .values(name="own", outage_threshold=2, recovery_threshold=1, **common)
            .returning(Resource.id)
        )
        kinds = await s.execute(insert(Resource).values(name="kinds", **common).returning(Resource.id))
        return int(own.scalar_one()), int(kinds.scalar_one())


async def _recorders(sessions: async_sessionmaker[AsyncSession]) -> list[FleetRecorder]:
    async with sessions() as s:
        resources = await catalog.load_resources(s)
        types = await catalog.load_type_settings(s)
    assert types["HTTP"].outage_threshold == 3  # the kind's default; "own" overrides it with 2
    return [
        FleetRecorder(
            sessions,
            "postgresql",
            owner=f"w-{loc}",
            location=loc,
            resources=lambda: resources,
            types=lambda: types,
            metrics=Metrics(),
        )
        for loc in LOCATIONS
    ]


async def _round(recorders: list[FleetRecorder], ids: tuple[int, int], status: Status, at: float) -> None:
    for rec in recorders:
        for rid in ids:
            result = ProbeResult(status, "x", phases=Phases(total_ms=1.0), checked_at=datetime.fromtimestamp(at, UTC))
            rec.add(Record(rid, result, {}, Transition(), changed=False))
    await asyncio.gather(*(rec.flush() for rec in recorders))


async def _open(sessions: async_sessionmaker[AsyncSession], rid: int) -> int:
    async with sessions() as s:
        query = select(func.count()).select_from(Outage).where(Outage.resource_id == rid, Outage.ended_at.is_(None))
        return int((await s.execute(query)).scalar_one())


async def test_the_fleet_verdict_uses_the_resources_own_thresholds(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    own, kinds = await _setup(pg_sessions)
    recorders = await _recorders(pg_sessions)
    now = time.time()
    await _round(recorders, (own, kinds), Status.NOT_AVAILABLE, now)
    assert (await _open(pg_sessions, own), await _open(pg_sessions, kinds)) == (0, 0)
    await _round(recorders, (own, kinds), Status.NOT_AVAILABLE, now + 1)
    assert (await _open(pg_sessions, own), await _open(pg_sessions, kinds)) == (1, 0)  # 2 of its own, 2 of 3
    await _round(recorders, (own, kinds), Status.NOT_AVAILABLE, now + 2)
    assert await _open(pg_sessions, kinds) == 1
    await _round(recorders, (own, kinds), Status.AVAILABLE, now + 3)
    assert (await _open(pg_sessions, own), await _open(pg_sessions, kinds)) == (0, 1)  # recovery: 1 vs the kind's 2
