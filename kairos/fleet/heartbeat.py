"""A worker's heartbeat: its ``fleet_worker`` row, refreshed every ``heartbeat_interval_s``.

The row says who is alive (``seen_at``), where (``location``) and who runs the singleton jobs (``leader``). The
leader's liveness job (kairos.fleet.locations) turns stale rows into a location going down. The first beat also
puts the worker's location into ``fleet_location`` as up, without an event: a brand-new location counts at once.

A clean stop deletes the row, so the location's liveness is recomputed in the next round rather than two
intervals later. A database that is away fails the round; the periodic job logs it (rate-limited) and beats
again next time."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import delete, text, update
from sqlalchemy.dialects.postgresql import Insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import FleetLocation, FleetWorker
from kairos.periodic import PeriodicJob
from kairos.settings import Settings

log = logging.getLogger("kairos.fleet")

_NOW = text("SELECT statement_timestamp()")


class Heartbeat:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        version: str,
        is_leader: Callable[[], bool],
        *,
        registered: bool = False,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._version = version
        self._is_leader = is_leader
        self.worker_id = settings.resolved_worker_id
        # A worker that registered at start (kairos.fleet.adopt.register) only refreshes its row: a row that is
        # gone means the fleet took it for dead and closed its journal, so it must stop, not re-create the row.
        self._registered = registered
        self.declared_dead = asyncio.Event()
        self.started_at = datetime.now(UTC)
        self._job = PeriodicJob("fleet heartbeat", self.beat, every_s=lambda: settings.heartbeat_interval_s, logger=log)

    @property
    def alive(self) -> bool:
        return self._job.alive

    def start(self) -> None:
        self._job.start()

    async def stop(self) -> None:
        """End the beats and delete our row (a failure is logged: the row then goes stale like a dead worker's)."""
        await self._job.stop()
        try:
            # Bounded: a database that is away must not hold up the worker's shutdown.
            async with (
                asyncio.timeout(self._settings.shutdown_grace_s),
                self._sessionmaker() as session,
                session.begin(),
            ):
                await session.execute(delete(FleetWorker).where(FleetWorker.id == self.worker_id))
        except Exception as exc:
            log.warning("fleet heartbeat: could not remove worker %s at stop: %s", self.worker_id, exc)

    async def beat(self) -> None:
        """One heartbeat (the job's step; tests call it directly)."""
        async with self._sessionmaker() as session, session.begin():
            now = await database_now(session)
            if self._registered:
                refreshed = await session.execute(
                    update(FleetWorker)
                    .where(FleetWorker.id == self.worker_id)
                    .values(seen_at=now, leader=self._is_leader())
                )
                if not refreshed.rowcount:  # type: ignore[attr-defined]
                    log.error("worker %s was declared dead by the fleet; it stops", self.worker_id)
                    self.declared_dead.set()
                return
            for statement in self._statements(now):
                await session.execute(statement)

    def _statements(self, now: datetime) -> tuple[Insert, Insert]:
        row = {
            "id": self.worker_id,
            "location": self._settings.location,
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "version": self._version[:32],
            "started_at": self.started_at,
            "seen_at": now,
            "leader": self._is_leader(),
        }
        worker = pg_insert(FleetWorker).values(row)
        worker = worker.on_conflict_do_update(
            index_elements=["id"],
            set_={
                c: worker.excluded[c] for c in ("location", "host", "pid", "version", "started_at", "seen_at", "leader")
            },
        )
        location = (
            pg_insert(FleetLocation)
            .values(name=self._settings.location, up=True, changed_at=now)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        return worker, location


async def database_now(session: AsyncSession) -> datetime:
    """The database's clock: every worker's ``seen_at`` and the leader's liveness compare times from one clock,
    whatever the skew between the hosts of the locations."""
    now = (await session.execute(_NOW)).scalar_one()
    assert isinstance(now, datetime)
    return now.astimezone(UTC)
