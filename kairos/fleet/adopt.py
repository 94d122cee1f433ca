"""A worker's journal outlives it: registration at start, and the leader closing the journals of dead workers.

A worker journals the results of still-open buckets (owner = its id) and writes them as blocks when the bucket
closes. One that dies (SIGKILL, a lost host) leaves its rows behind; readers still see them, and the leader's
``Adopter`` writes them as blocks once the worker has been silent for ADOPT_AFTER_S. Adoption deletes the dead
worker's ``fleet_worker`` row in the same transaction, and a worker's bucket close first locks its own row
(kairos.fleet.recorder): a worker wrongly taken for dead (frozen for a minute) finds its row gone, stops, and
never writes the adopted results a second time. Rollups of adopted results count each location's result, as
the verdict samples of their open buckets died with the worker."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import FleetLocation, FleetWorker, ResultJournal
from kairos.fleet.heartbeat import database_now
from kairos.history.codec import BlockBuilder, builder_in, decode_many
from kairos.history.writer import BlockKey, Writer
from kairos.periodic import PeriodicJob
from kairos.rollups.buckets import FIFTEEN_MIN, bucket_of
from kairos.settings import Settings

log = logging.getLogger("kairos.fleet")

# Silent for this many heartbeat intervals (a minute by default): dead for good, its journal is closed. Far more
# than the two after which its location stops counting: a worker frozen that long stops rather than come back.
ADOPT_AFTER_BEATS = 12


class WorkerIdInUse(Exception):
    """Another live worker already runs under this id."""


def adopt_after_s(settings: Settings) -> float:
    return ADOPT_AFTER_BEATS * settings.heartbeat_interval_s


async def register(session: AsyncSession, settings: Settings) -> int:
    """Take this worker's id at start: refuse it while a live worker holds it; take over a dead one's (a restarted
    container keeps its pod name), closing the journal it left. Returns the number of results closed."""
    me = settings.resolved_worker_id
    now = await database_now(session)
    row = (await session.execute(select(FleetWorker).where(FleetWorker.id == me).with_for_update())).scalar()
    if row is not None and row.seen_at > now - timedelta(seconds=2 * settings.heartbeat_interval_s):
        raise WorkerIdInUse(f"worker id {me!r} is in use by a live worker (host {row.host}, pid {row.pid})")
    closed = await close_journals(session, [me])
    if row is not None:
        await session.delete(row)
        await session.flush()
    session.add(FleetWorker(id=me, location=settings.location, started_at=now, seen_at=now, leader=False))
    # A brand-new location counts at once (no event); the leader's liveness job judges it from then on.
    await session.execute(
        pg_insert(FleetLocation).values(name=settings.location, up=True, changed_at=now).on_conflict_do_nothing()
    )
    return closed


async def close_journals(session: AsyncSession, owners: list[str]) -> int:
    """Write the journal rows of ``owners`` as blocks (with their rollups) and delete them."""
    if not owners:
        return 0
    j = ResultJournal
    rows = (
        await session.execute(
            select(j.id, j.location, j.payload).where(j.owner.in_(owners)).with_for_update(skip_locked=True)
        )
    ).all()
    per_location: dict[str, dict[BlockKey, BlockBuilder]] = {}
    count = 0
    for _id, location, payload in rows:
        blocks = per_location.setdefault(location, {})
        for rid, results in decode_many(payload, location).items():
            for r in results:
                key = (rid, bucket_of(r.id / 1000, FIFTEEN_MIN))
                builder_in(blocks, key).add(r.id, r.as_probe_result())
                count += 1
    writer = Writer("postgresql")
    for location, blocks in per_location.items():
        await writer.write_blocks(session, blocks, location=location)
    if rows:
        await session.execute(delete(j).where(j.id.in_([r[0] for r in rows])))
    return count


class Adopter:
    """The leader's job: close the journals of workers silent for ``adopt_after_s`` (a singleton job)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._job = PeriodicJob(
            "journal adoption", self._round, every_s=lambda: 3 * settings.heartbeat_interval_s, logger=log
        )
        # Nobody is taken for dead until this leader has run for adopt_after_s without a database error: after
        # PostgreSQL was away for minutes every heartbeat is stale, and the workers must first beat again.
        self._settling_since: float | None = None

    async def start(self) -> None:
        self._settling_since = time.monotonic()
        self._job.start()

    async def _round(self) -> None:
        if self._settling_since is not None and time.monotonic() - self._settling_since < adopt_after_s(self._settings):
            return
        try:
            await self.step()
        except Exception:
            self._settling_since = time.monotonic()
            raise

    async def stop(self) -> None:
        await self._job.stop()

    async def step(self) -> int:
        async with self._sessionmaker() as session, session.begin():
            now = await database_now(session)
            cutoff = now - timedelta(seconds=adopt_after_s(self._settings))
            dead = list(
                (
                    await session.execute(
                        delete(FleetWorker).where(FleetWorker.seen_at < cutoff).returning(FleetWorker.id)
                    )
                ).scalars()
            )
            living = select(FleetWorker.id)
            orphans = select(ResultJournal.owner).where(ResultJournal.owner != "", ResultJournal.owner.not_in(living))
            owners = sorted(set(dead) | set((await session.execute(orphans.distinct())).scalars()))
            closed = await close_journals(session, owners)
        if owners:
            log.info("closed the journals of %d dead workers (%d results): %s", len(owners), closed, ", ".join(owners))
        return closed
