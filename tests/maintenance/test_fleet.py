"""The fleet during a window (PostgreSQL): workers mark their results with the same in-memory schedule as the
single process, and the FleetRecorder's verdict is then MAINTENANCE: no outage opens, no event is stored, the
rollups count nothing towards uptime; once the window has ended, a failure opens an outage as usual."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import (
    FleetLocation,
    FleetWorker,
    MaintenanceWindow,
    NotificationOutbox,
    Outage,
    Resource,
    ResourceState,
    Rollup15m,
)  # fmt: skip
from kairos.fleet.recorder import FleetRecorder
from kairos.metrics import Metrics
from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from kairos.scheduler import catalog
from kairos.scheduler.maintenance import MaintenanceHold
from kairos.scheduler.recorder import Record
from kairos.scheduler.state import Transition

LOCATIONS = ["eu", "us"]


async def _setup(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    now = datetime.now(UTC)
    async with sessions() as s, s.begin():
        await s.execute(insert(FleetLocation), [{"name": loc, "up": True} for loc in LOCATIONS])
        workers = [{"id": f"w-{loc}", "location": loc, "started_at": now, "seen_at": now} for loc in LOCATIONS]
        await s.execute(insert(FleetWorker), workers)
        stmt = insert(Resource).values(name="db", kind="HTTP", target="http://127.0.0.1:9/", interval_s=10,
                                       quorum="all", outage_threshold=1)  # fmt: skip
        rid = int((await s.execute(stmt.returning(Resource.id))).scalar_one())
        window = MaintenanceWindow(title="upgrade", starts_at=now - timedelta(minutes=5),
                                   ends_at=now + timedelta(hours=1), scope="resources", scope_ids=[rid])  # fmt: skip
        s.add(window)
        await s.flush()
        return rid, window.id


async def _recorders(sessions: async_sessionmaker[AsyncSession]) -> list[FleetRecorder]:
    async with sessions() as s:
        resources = await catalog.load_resources(s)
        types = await catalog.load_type_settings(s)
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


async def _round(sessions: async_sessionmaker[AsyncSession], recorders: list[FleetRecorder], rid: int) -> None:
    """Each location's worker checks (failing), marks with its own schedule as kairos.scheduler.loop does, records."""
    for rec in recorders:
        hold = MaintenanceHold()
        async with sessions() as s:
            await hold.reload(s, time.time())
        failed = ProbeResult(Status.NOT_AVAILABLE, "HTTP 500", "http_status", Phases(total_ms=3.0))
        rec.add(Record(rid, hold.mark(rid, failed), {}, Transition(), changed=False))
        await rec.flush()


async def _count(sessions: async_sessionmaker[AsyncSession], model: type, *where: object) -> int:
    async with sessions() as s:
        return int((await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one())  # type: ignore[arg-type]


async def test_a_failing_resource_in_a_window_opens_no_outage_in_the_fleet_and_does_after_it(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    rid, window_id = await _setup(pg_sessions)
    recorders = await _recorders(pg_sessions)
    for _ in range(3):
        await _round(pg_sessions, recorders, rid)
    async with pg_sessions() as s:
        state = await s.get(ResourceState, rid)
        assert state is not None and state.status == "MAINTENANCE" and state.last_details is not None
        assert state.last_details["maintenance"] == {
            "windowId": window_id,
            "title": "upgrade",
            "observed": "NOT_AVAILABLE",
        }
    assert await _count(pg_sessions, Outage, Outage.resource_id == rid) == 0
    assert await _count(pg_sessions, NotificationOutbox) == 0
    for rec in recorders:
        await rec.close_everything()  # the verdicts' rollups are written: maintenance counts as unknown only
    async with pg_sessions() as s:
        rows = (await s.execute(select(Rollup15m.available, Rollup15m.not_available, Rollup15m.unknown))).all()
    assert sum(r[0] + r[1] for r in rows) == 0 and sum(r[2] for r in rows) == 6

    async with pg_sessions() as s, s.begin():
        window = await s.get(MaintenanceWindow, window_id)
        assert window is not None
        window.ended_at = datetime.now(UTC)
    recorders = await _recorders(pg_sessions)
    await _round(pg_sessions, recorders, rid)
    assert await _count(pg_sessions, Outage, Outage.resource_id == rid, Outage.ended_at.is_(None)) == 1
