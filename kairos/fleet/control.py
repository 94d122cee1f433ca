"""``FleetControl``: "the scheduler" of a web node, which checks nothing itself.

It has the scheduler's surface (kairos.scheduler.control.SchedulerControl), so routes, services, discovery and
config as code work unchanged: an edit writes the resource's ``check_schedule`` rows in every known location and
NOTIFYs ``kairos_resources`` in the same transaction; "check now" asks every location to check at once and waits
for the result a worker records. It keeps the live board current through a BoardFeed fed by one Listener on
``kairos_results`` and ``kairos_resources``, and resyncs every RESYNC_S seconds and after each reconnection."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.errors import Conflict
from kairos.fleet import channels, schedule
from kairos.fleet.feed import RESYNC_S, BoardFeed
from kairos.fleet.listen import Listener, conninfo_of
from kairos.periodic import PeriodicJob
from kairos.probes.base import ProbeResult
from kairos.scheduler import catalog
from kairos.scheduler.board import LiveBoard
from kairos.scheduler.catalog import Scheduled, TypeSettings
from kairos.scheduler.state import RuntimeState
from kairos.settings import Settings

log = logging.getLogger("kairos.fleet")

CHECK_NOW_SLACK_S = 5.0  # beyond the kind's timeout: a worker's claim, flush and notification


class NoBacklog:
    """A web node records nothing: nothing is ever waiting to be written."""

    pending = 0


class FleetControl:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        board: LiveBoard,
        *,
        resync_s: float = RESYNC_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self.board = board
        self.types: dict[str, TypeSettings] = {}
        self.resources: dict[int, Scheduled] = {}
        self.recorder = NoBacklog()
        self.feed = BoardFeed(
            sessionmaker, board, clock=clock, on_applied=self._results_read, known=self.resources.__contains__
        )
        self.listener = Listener(
            conninfo_of(settings.effective_database_url),
            [channels.RESULTS, channels.RESOURCES],
            self._on_notify,
            self.resync,
        )
        self._resync_job = PeriodicJob(
            "fleet resync", self.resync, every_s=resync_s, first_after_s=resync_s, logger=log
        )
        self._windows_job = PeriodicJob(
            "uptime windows", self.feed.advance, every_s=settings.flush_interval_s, logger=log
        )
        self._waiters: dict[int, list[asyncio.Future[ProbeResult]]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._started = False
        # Reads of the catalog race with each other and with local edits (a notification of our own create can
        # be read before our delete and applied after it). Each read takes a stamp before it starts; per
        # resource, only a view read later than the one already applied is taken (later reads see more).
        self._stamps = itertools.count(1)
        self._applied_at: dict[int, int] = {}

    # -- life cycle ---------------------------------------------------------------------------------------

    async def load(self) -> None:
        """Resources and kind settings, then the board, from the database."""
        await self._reload_catalog()
        await self.feed.seed(self.resources.keys())

    async def start(self) -> None:
        # LISTEN before reading: a result stored between the read and the LISTEN would otherwise be missed.
        await self.listener.start()
        await self.load()
        self.feed.start()
        self._resync_job.start()
        self._windows_job.start()
        self._started = True

    async def stop(self) -> None:
        self._started = False
        await self._resync_job.stop()
        await self._windows_job.stop()
        await self.feed.stop()
        await self.listener.stop()
        for task in list(self._background):
            with contextlib.suppress(Exception):
                await task
        for waiters in self._waiters.values():
            for fut in waiters:
                fut.cancel()
        self._waiters.clear()

    @property
    def alive(self) -> bool:
        """Started, its feed running and the listener connected (else the board goes stale)."""
        return self._started and self.feed.alive and self.listener.connected

    async def resync(self) -> None:
        """Everything again: resources, kind settings, every state (a lost notification heals here)."""
        await self._reload_catalog()
        await self.feed.resync(self.resources.keys())

    # -- the scheduler's surface --------------------------------------------------------------------------

    def interval_of(self, res: Scheduled) -> float:
        return float(res.interval_s or self.types[res.kind].interval_s)

    def timeout_of(self, res: Scheduled) -> float:
        return float(res.timeout_s or self.types[res.kind].timeout_s)

    async def resource_changed(self, resource_id: int) -> None:
        """Its schedule rows in every location, due at once, and the workers told, in one transaction."""
        read_at = next(self._stamps)
        async with self._sessionmaker() as session:
            res = await catalog.load_one(session, resource_id)
            await schedule.sync_resource(session, resource_id, res, self.types, self._clock())
            await channels.notify(session, channels.RESOURCES, str(resource_id))
            await session.commit()
        self._adopt(resource_id, res, read_at)

    def resource_deleted(self, resource_id: int) -> None:
        """Forget it here; its schedule rows went with it (FK cascade); the workers are told in the background."""
        self._adopt(resource_id, None, next(self._stamps))
        self._spawn(self._announce(str(resource_id)))

    async def reload_type_settings(self) -> None:
        async with self._sessionmaker() as session:
            self.types = await catalog.load_type_settings(session)
            await channels.notify(session, channels.RESOURCES, channels.TYPES)
            await session.commit()

    async def caches_changed(self) -> None:
        async with self._sessionmaker() as session:
            await channels.notify(session, channels.RESOURCES, channels.SETTINGS)
            await session.commit()

    async def flush_results(self) -> None:
        """Nothing is recorded here: the workers write their own results."""

    async def check_now(self, resource_id: int) -> ProbeResult | None:
        """Ask every location checking it to check at once; the first result recorded afterwards, or None for a
        resource that is not scheduled. Conflict when no location checks it or none answers in time."""
        res = self.resources.get(resource_id)
        if res is None:
            return None
        fut: asyncio.Future[ProbeResult] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(resource_id, []).append(fut)
        try:
            async with self._sessionmaker() as session:
                asked = await schedule.check_now(session, resource_id, self._clock())
                await session.commit()
            if asked == 0:
                raise Conflict("no location checks this resource (is a worker running?)", code="no_location")
            try:
                return await asyncio.wait_for(fut, self.timeout_of(res) + CHECK_NOW_SLACK_S)
            except TimeoutError:
                raise Conflict("no worker recorded a result in time; try again", code="check_timeout") from None
        finally:
            self._drop_waiter(resource_id, fut)

    # -- internals ----------------------------------------------------------------------------------------

    async def _reload_catalog(self) -> None:
        read_at = next(self._stamps)
        async with self._sessionmaker() as session:
            self.types = await catalog.load_type_settings(session)
            loaded = await catalog.load_resources(session)
        for rid, applied_at in list(self._applied_at.items()):
            if applied_at < read_at:
                del self._applied_at[rid]  # this read supersedes it
            elif (res := self.resources.get(rid)) is not None:
                loaded[rid] = res  # changed here after the read began: the newer view stays
            else:
                loaded.pop(rid, None)  # deleted here after the read began
        # In place: the feed holds ``self.resources.__contains__``.
        self.resources.clear()
        self.resources.update(loaded)

    def _adopt(self, resource_id: int, res: Scheduled | None, read_at: int) -> None:
        if self._applied_at.get(resource_id, 0) > read_at:
            return  # a view read later was applied already
        self._applied_at[resource_id] = read_at
        if res is None:
            self.resources.pop(resource_id, None)
            self.board.forget(resource_id)
        else:
            self.resources[resource_id] = res
            self.board.track(resource_id)

    async def _announce(self, payload: str) -> None:
        try:
            async with self._sessionmaker() as session:
                await channels.notify(session, channels.RESOURCES, payload)
                await session.commit()
        except Exception as exc:  # workers resync every minute anyway
            log.warning("cannot tell the workers about %s: %s", payload, exc)

    def _on_notify(self, channel: str, payload: str) -> None:
        if channel == channels.RESULTS:
            self.feed.on_results(payload)
        elif channel == channels.RESOURCES:
            self._spawn(self._resource_news(payload))

    async def _resource_news(self, payload: str) -> None:
        """Another node changed a resource or the kind settings: reload what it names."""
        try:
            if payload.isdigit():
                rid = int(payload)
                read_at = next(self._stamps)
                async with self._sessionmaker() as session:
                    res = await catalog.load_one(session, rid)
                self._adopt(rid, res, read_at)
            elif payload == channels.TYPES:
                async with self._sessionmaker() as session:
                    self.types = await catalog.load_type_settings(session)
            else:
                await self.resync()
        except Exception as exc:  # the periodic resync catches up
            log.warning("cannot reload after a %r notification: %s", payload, exc)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _results_read(self, states: Mapping[int, RuntimeState]) -> None:
        for rid, state in states.items():
            if state.last is None:
                continue
            for fut in self._waiters.pop(rid, []):
                if not fut.done():
                    fut.set_result(state.last)

    def _drop_waiter(self, resource_id: int, fut: asyncio.Future[ProbeResult]) -> None:
        waiters = self._waiters.get(resource_id)
        if waiters and fut in waiters:
            waiters.remove(fut)
            if not waiters:
                del self._waiters[resource_id]
