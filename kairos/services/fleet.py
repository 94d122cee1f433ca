"""The fleet as operators see it: which locations count, which workers run, who leads (docs/fleet.md).

A single process (``kairos serve`` on SQLite or PostgreSQL) writes no fleet rows, so both lists are empty there.
"Live" is judged as the leader's liveness job judges it (kairos.fleet.locations): seen within two heartbeat
intervals, by the database's clock on PostgreSQL so that a web node's own clock does not matter."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.fleet import FleetLocationPublic, FleetStatus, FleetWorkerPublic
from kairos.db.models import FleetLocation, FleetWorker
from kairos.fleet.heartbeat import database_now
from kairos.fleet.locations import MISSED_BEATS


async def fleet_status(session: AsyncSession, heartbeat_interval_s: float) -> FleetStatus:
    now = await _now(session)
    fresh_since = now - timedelta(seconds=MISSED_BEATS * heartbeat_interval_s)
    rows = (await session.execute(select(FleetWorker).order_by(FleetWorker.location, FleetWorker.id))).scalars()
    workers = [_worker(w, w.seen_at >= fresh_since) for w in rows]
    live = Counter(w.location for w in workers if w.live)
    locations = (await session.execute(select(FleetLocation).order_by(FleetLocation.name))).scalars()
    return FleetStatus(
        locations=[
            FleetLocationPublic(name=loc.name, up=loc.up, changed_at=loc.changed_at, workers=live[loc.name])
            for loc in locations
        ],
        workers=workers,
    )


async def paused_locations(session: AsyncSession) -> list[tuple[str, datetime]]:
    """Locations that stopped counting, and since when (the status page says their checks are paused)."""
    rows = await session.execute(
        select(FleetLocation.name, FleetLocation.changed_at)
        .where(FleetLocation.up.is_(False))
        .order_by(FleetLocation.name)
    )
    return [(name, at) for name, at in rows.all()]


def _worker(w: FleetWorker, live: bool) -> FleetWorkerPublic:
    return FleetWorkerPublic(
        id=w.id,
        location=w.location,
        host=w.host,
        pid=w.pid,
        version=w.version,
        started_at=w.started_at,
        seen_at=w.seen_at,
        live=live,
        leader=w.leader and live,  # a dead worker's stale flag says nothing
    )


async def _now(session: AsyncSession) -> datetime:
    if session.get_bind().dialect.name == "postgresql":
        return await database_now(session)
    return datetime.now(UTC)
