"""The periodic discovery loop: sync every enabled source when its interval has passed.

Syncs of one source never overlap (:class:`~kairos.discovery.sync.SourceSyncs`, shared with the API), so an
API-triggered sync and the loop cannot create the same resource twice; at most ``max_concurrent`` sources are
listed at a time. A failing sync is stored on its source by :func:`~kairos.discovery.sync.sync_source`;
anything unexpected is logged and the loop (a :class:`~kairos.periodic.PeriodicJob`) carries on."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kairos.db.models import DiscoverySource
from kairos.discovery.sync import SourceSyncs, SyncHost, SyncReport
from kairos.periodic import PeriodicJob

log = logging.getLogger("kairos.discovery")

TICK_S = 30.0  # how often due sources are looked for; intervals are minutes to hours
MAX_CONCURRENT = 2


class DiscoveryLoop:
    def __init__(
        self,
        host: SyncHost,
        syncs: SourceSyncs,
        *,
        tick_s: float = TICK_S,
        max_concurrent: int = MAX_CONCURRENT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._host = host
        self._syncs = syncs
        self._tick_s = tick_s
        self._clock = clock
        self._slots = asyncio.Semaphore(max_concurrent)
        self._job = PeriodicJob("discovery", self.run_due, every_s=tick_s, logger=log)

    async def sync(self, source_id: int, *, dry_run: bool = False) -> SyncReport:
        """Sync one source now, after any sync of it already running (the API's too)."""
        return await self._syncs.run(self._host, source_id, dry_run=dry_run)

    async def due_sources(self) -> list[int]:
        now = datetime.fromtimestamp(self._clock(), UTC)
        async with self._host.sessionmaker() as session:
            rows = await session.execute(
                select(DiscoverySource.id, DiscoverySource.last_sync_at, DiscoverySource.interval_s).where(
                    DiscoverySource.enabled.is_(True)
                )
            )
            return [
                r.id for r in rows if r.last_sync_at is None or r.last_sync_at + timedelta(seconds=r.interval_s) <= now
            ]

    async def run_due(self) -> int:
        """Sync every due source, ``max_concurrent`` at a time; returns how many were synced."""
        due = await self.due_sources()
        await asyncio.gather(*(self._bounded(sid) for sid in due))
        return len(due)

    async def _bounded(self, source_id: int) -> None:
        async with self._slots:
            try:
                report = await self.sync(source_id)
            except LookupError:
                return  # deleted meanwhile
            except Exception:
                log.exception("discovery source %s: sync failed unexpectedly", source_id)
                return
        if report.error:
            log.warning("discovery source %s: %s", source_id, report.error)

    def start(self) -> None:
        self._job.start()

    async def stop(self) -> None:
        await self._job.stop()
