"""The worker's scheduler: the single process's dispatcher and kind pools, fed by claims instead of its own heap.

Every CLAIM_EVERY_S it claims the checks of its location due within LOOKAHEAD_S (kairos.fleet.schedule) and puts
each at its due time in the in-process heap, so spread and per-kind parallelism work as in one process. Results
go to the FleetRecorder, which computes the verdict when it writes them. A worker whose pools are backed up
claims less, leaving the checks to the other workers of its location."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kairos.credentials import CredentialStore
from kairos.fleet import channels, schedule
from kairos.fleet.recorder import FleetRecorder
from kairos.metrics import Metrics
from kairos.periodic import PeriodicJob
from kairos.probes.base import ProbeResult
from kairos.probes.kinds import all_specs
from kairos.scheduler import catalog
from kairos.scheduler.board import LiveBoard
from kairos.scheduler.catalog import Scheduled
from kairos.scheduler.loop import Scheduler
from kairos.scheduler.pool import KindPool
from kairos.scheduler.recorder import Notify, Record
from kairos.scheduler.state import Transition
from kairos.settings import Settings

log = logging.getLogger("kairos.fleet")

CLAIM_EVERY_S = 0.5  # half the lookahead: every check is claimed at least half a second before it is due
LOOKAHEAD_S = 1.0  # claim this far ahead: the heap then starts each check on its slot
CLAIM_LIMIT = 2_000
RESYNC_EVERY_S = 30.0  # resources and schedule rows, in case a notification was missed


class FleetScheduler(Scheduler):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        credentials: CredentialStore,
        metrics: Metrics,
        *,
        notify: Notify | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.location = settings.location
        self.owner = settings.resolved_worker_id
        recorder = FleetRecorder(
            sessionmaker,
            "postgresql",
            batch_size=settings.flush_batch_size,
            notify=notify,
            clock=clock,
            owner=self.owner,
            location=self.location,
            resources=lambda: self.resources,
            types=lambda: self.types,
            metrics=metrics,
        )
        # The board of a worker is its own (no pages read it); results are not put on it.
        super().__init__(
            sessionmaker, settings, credentials, "postgresql", LiveBoard(), metrics, clock, notify, recorder
        )
        self.fleet_recorder = recorder
        self._claim_job = PeriodicJob("claim", self.claim_once, every_s=CLAIM_EVERY_S, logger=log)
        self._resync_job = PeriodicJob(
            "fleet resync",
            lambda: self.resync(force=False),
            every_s=RESYNC_EVERY_S,
            first_after_s=RESYNC_EVERY_S,
            logger=log,
        )
        self._version: tuple[object, ...] = ()
        self.claimed = 0
        self._engine: AsyncEngine = sessionmaker.kw["bind"]

    # -- life cycle ---------------------------------------------------------------------------------------

    async def load(self) -> None:
        async with self._sessionmaker() as session:
            self._version = await catalog.version(session)
            self.types = await catalog.load_type_settings(session)
            self.resources = await catalog.load_resources(session)
            await self.maintenance.reload(session, self._clock())
        await self.recorder.recover(())
        for spec in all_specs():
            self._pools[spec.name] = KindPool(spec.name, self.types[spec.name].parallelism, self._check_from_queue)

    async def start(self) -> None:
        await self.load()
        await self._sync_schedule()
        self._tasks = [
            self._spawn_dispatch(),
            self._flush_job.start(),
            self._claim_job.start(),
            self._resync_job.start(),
        ]

    async def stop(self) -> None:
        await self._claim_job.stop()
        await self._resync_job.stop()
        await super().stop()  # in-flight checks finish or are cancelled, and what was recorded is written
        try:
            await self.fleet_recorder.close_everything()
        except Exception as exc:
            log.error("shutdown: open buckets stay in the journal for the leader to close: %s", exc)

    def _spawn_dispatch(self) -> asyncio.Task[None]:
        return asyncio.create_task(self._dispatch_loop(), name="kairos-dispatch")

    # -- claims -------------------------------------------------------------------------------------------

    async def claim_once(self) -> int:
        """Claim what is due soon (less when this worker's pools are backed up); returns how many."""
        backlog = sum(p.backlog for p in self._pools.values())
        limit = CLAIM_LIMIT - backlog
        if limit <= 0 or self._stopping:
            return 0
        now = self._clock()
        async with self._engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")  # one statement: atomic alone
            claimed = await schedule.claim(autocommit, self.location, now, now + LOOKAHEAD_S, limit)
        asap = [c.resource_id for c in claimed if c.asap]
        if asap:  # asked for at once: new or edited, so read it again first
            await self._reload(asap)
        for c in claimed:
            res = self.resources.get(c.resource_id)
            if res is not None and res.enabled:
                self._schedule(c.resource_id, c.due)
        self.claimed += len(claimed)
        return len(claimed)

    def _after_check(self, res: Scheduled, result: ProbeResult, due: float, started: float) -> None:
        """Recorded as this location's result; the verdict is the recorder's, the next due time the schedule's."""
        if self.resources.get(res.id) is None:
            return
        self.metrics.observe_check(res.kind, result)
        self.recorder.add(Record(res.id, result, {}, Transition(), changed=False))

    # -- edits --------------------------------------------------------------------------------------------

    async def resource_changed(self, resource_id: int) -> None:
        """A resource changed here (a discovery sync on this worker): every location checks it at once."""
        async with self._sessionmaker() as session, session.begin():
            res = await catalog.load_one(session, resource_id)
            await schedule.sync_resource(session, resource_id, res, self.types, self._clock())
            await channels.notify(session, channels.RESOURCES, str(resource_id))
        self._apply(resource_id, res)

    async def reload_type_settings(self) -> None:
        await super().reload_type_settings()
        await self._sync_schedule()

    async def caches_changed(self) -> None:
        async with self._sessionmaker() as session, session.begin():
            await channels.notify(session, channels.RESOURCES, channels.SETTINGS)

    async def on_resources_notice(self, payload: str) -> None:
        """``kairos_resources`` (kairos.fleet.channels): reload what another process changed."""
        if payload in (channels.TYPES, channels.EVERYTHING):
            await self.resync()
        elif payload.isdigit():
            await self._reload([int(payload)])

    async def resync(self, *, force: bool = True) -> None:
        """Reload resources and kinds, and make this location's schedule rows match them.

        The periodic round (``force`` false) first asks whether anything changed at all: reading and parsing every
        resource of a large install costs far more than the one-row question."""
        async with self._sessionmaker() as session:
            version = await catalog.version(session)
            if not force and version == self._version:
                return
            types = await catalog.load_type_settings(session)
            resources = await catalog.load_resources(session)
        self._version = version
        for kind, pool in self._pools.items():
            pool.resize(types[kind].parallelism)
        for rid in set(self.resources) - set(resources):
            super().resource_deleted(rid)
        self.types, self.resources = types, resources
        for rid in resources:
            self.recorder.remember(rid)
        await self._sync_schedule()

    async def _reload(self, ids: Iterable[int]) -> None:
        async with self._sessionmaker() as session:
            for rid in ids:
                self._apply(rid, await catalog.load_one(session, rid))

    def _apply(self, resource_id: int, res: Scheduled | None) -> None:
        if res is None:
            if resource_id in self.resources:
                super().resource_deleted(resource_id)
            return
        self.recorder.remember(resource_id)
        self.resources[resource_id] = res
        if not res.enabled:
            self._due.pop(resource_id, None)

    async def _sync_schedule(self) -> None:
        async with self._sessionmaker() as session, session.begin():
            added, removed, retimed = await schedule.sync_location(
                session, self.location, self.resources, self.types, self._clock()
            )
        if added or removed or retimed:
            log.info("schedule of %s: %d added, %d removed, %d re-timed", self.location, added, removed, retimed)
