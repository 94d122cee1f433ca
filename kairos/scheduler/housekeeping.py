"""Housekeeping: optional retention of raw check results and closed outages, and SQLite upkeep.

One background job (a :class:`~kairos.periodic.PeriodicJob`), started by the scheduler, runs a round shortly
after start and then every ``KAIROS_HOUSEKEEPING_INTERVAL_S``. Deletes run in small batches, each its own short
transaction, with a pause between them: SQLite has a single writer, and the recorder must get the write lock
between two batches instead of waiting behind one long DELETE. Rollups are never touched, so uptime and
timelines stay whole.

The rounds are step functions (``prune_results``, ``prune_outages``, ``optimize``) that tests call directly
with an injected time. Nothing is deleted unless ``retention_days`` / ``outage_retention_days`` are set."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.engine import SQLITE_BUSY_TIMEOUT_MS
from kairos.db.models import Outage, Resource, ResultBlock, Rollup1d, Rollup15m
from kairos.db.models.notify import NotificationOutbox
from kairos.metrics import Metrics
from kairos.periodic import PeriodicJob
from kairos.rollups.buckets import FIFTEEN_MIN, ONE_DAY
from kairos.settings import Settings

log = logging.getLogger("kairos.housekeeping")

BATCH_ROWS = 5_000
# SQLite's busy handler sleeps in steps of up to 100 ms: a waiting recorder only notices the free lock if the
# gap between two batches is at least that long.
BATCH_PAUSE_S = 0.1
FIRST_ROUND_AFTER_S = 30.0
# The TRUNCATE checkpoint blocks writers while it waits for readers; this bounds the wait (it then gives up and
# the WAL is reused as it is, to be truncated next round).
CHECKPOINT_BUSY_MS = 200
ANALYSIS_LIMIT = 400  # rows sampled per index by ANALYZE (SQLite's recommended value)


@dataclass(slots=True)
class Round:
    results: int = 0
    outages: int = 0
    deliveries: int = 0
    seconds: float = 0.0


class Housekeeper:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        dialect: str,
        metrics: Metrics | None = None,
        *,
        batch_rows: int = BATCH_ROWS,
        pause_s: float = BATCH_PAUSE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._dialect = dialect
        self._metrics = metrics
        self.batch_rows = batch_rows
        self.pause_s = pause_s
        self._clock = clock
        self.batches = 0  # transactions used by deletes so far (tests and benchmarks read it)
        self.rounds = 0
        self.job = self._job(FIRST_ROUND_AFTER_S, None)

    @property
    def failures(self) -> int:
        """Rounds that failed (logged by the job, which tries again next round)."""
        return self.job.failures

    # -- step functions -----------------------------------------------------------------------------------

    async def prune_results(self, now: datetime) -> int:
        """Delete raw check results older than ``retention_days``; rollups stay. Returns the count."""
        days = self._settings.retention_days
        if not days:
            return 0
        # Whole 15-minute blocks go: a block is removed once all of it is older than the cut-off.
        cutoff = (now - timedelta(days=days)).timestamp()
        b = ResultBlock
        old = select(b.id, b.available + b.not_available + b.unknown).where(b.bucket + FIFTEEN_MIN <= cutoff)
        return await self._delete_blocks(old)

    async def sweep_deleted(self) -> int:
        """Remove the history and rollups of deleted resources (they have no foreign key to cascade from:
        see kairos.db.models.history). Deleted ids are found through ``rollup_1d``'s per-resource index; ids
        are never reused, so what waits here is never shown. Returns the raw results removed."""
        gone = (
            select(Rollup1d.resource_id, func.min(Rollup1d.bucket), func.max(Rollup1d.bucket))
            .where(Rollup1d.resource_id.not_in(select(Resource.id)))
            .group_by(Rollup1d.resource_id)
        )
        async with self._sessionmaker() as session:
            orphans = (await session.execute(gone)).all()
        removed = 0
        for rid, first_day, last_day in orphans:
            for day in range(int(first_day), int(last_day) + ONE_DAY, ONE_DAY):
                buckets = list(range(day, day + ONE_DAY, FIFTEEN_MIN))
                b = ResultBlock
                blocks = select(b.id, b.available + b.not_available + b.unknown).where(
                    b.bucket.in_(buckets), b.resource_id == rid
                )
                removed += await self._delete_blocks(blocks)
                async with self._sessionmaker() as session, session.begin():
                    await session.execute(
                        delete(Rollup15m).where(Rollup15m.bucket.in_(buckets), Rollup15m.resource_id == rid)
                    )
            async with self._sessionmaker() as session, session.begin():
                await session.execute(delete(Rollup1d).where(Rollup1d.resource_id == rid))
        return removed

    async def prune_outages(self, now: datetime) -> int:
        """Delete outages that ended before ``outage_retention_days`` ago; an open outage is never removed."""
        days = self._settings.outage_retention_days
        if not days:
            return 0
        cutoff = now - timedelta(days=days)
        ids = select(Outage.id).where(Outage.ended_at.is_not(None), Outage.ended_at < cutoff)
        return await self._delete_in_batches(Outage, ids, "outage")

    async def prune_deliveries(self, now: datetime) -> int:
        """Delete notification deliveries that are done (sent or dead) and older than ``notify_retention_days``;
        pending ones are never removed, whatever their age."""
        cutoff = now - timedelta(days=self._settings.notify_retention_days)
        ids = select(NotificationOutbox.id).where(
            NotificationOutbox.status.in_(("sent", "dead")), NotificationOutbox.created_at < cutoff
        )
        return await self._delete_in_batches(NotificationOutbox, ids, "notification")

    async def optimize(self) -> None:
        """SQLite: refresh the planner's statistics and fold the WAL back into the database file.
        PostgreSQL: nothing; autovacuum reclaims deleted rows and re-analyzes changed tables by itself."""
        if self._dialect != "sqlite":
            return
        async with self._sessionmaker() as session:
            conn = await session.connection()
            # PRAGMA optimize may ANALYZE, which reads and then writes: taking the write lock first (waiting
            # politely behind the recorder) avoids SQLite's immediate "database is locked" on the upgrade, and
            # the analysis limit keeps it to milliseconds on a table of millions of rows.
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
            await conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            await conn.exec_driver_sql("PRAGMA optimize")
            await session.commit()
        async with self._sessionmaker() as session:
            conn = await session.connection()
            await conn.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_BUSY_MS}")
            try:
                busy = (await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).first()
            finally:
                await conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            await session.commit()
        if busy is not None and busy[0]:
            log.debug("WAL checkpoint skipped: the database was busy")

    async def run_once(self, now: datetime | None = None) -> Round:
        """One round: both prunes, then upkeep; logs one line with the counts."""
        started = time.perf_counter()
        now = now or datetime.fromtimestamp(self._clock(), UTC)
        done = Round()
        done.results = await self.prune_results(now) + await self.sweep_deleted()
        done.outages = await self.prune_outages(now)
        done.deliveries = await self.prune_deliveries(now)
        await self.optimize()
        done.seconds = time.perf_counter() - started
        self.rounds += 1
        if self._metrics is not None:
            self._metrics.housekeeping_last_run.set(self._clock())
        log.info(
            "housekeeping: %d raw results, %d outages and %d notification deliveries deleted in %.1f s",
            done.results,
            done.outages,
            done.deliveries,
            done.seconds,
        )
        return done

    async def run_forever(self, first_after_s: float = FIRST_ROUND_AFTER_S, every_s: float | None = None) -> None:
        """The background job in the calling task (the scheduler runs ``self.job`` in a task of its own)."""
        self.job = self._job(first_after_s, every_s)
        await self.job.run()

    def _job(self, first_after_s: float, every_s: float | None) -> PeriodicJob:
        interval = (lambda: self._settings.housekeeping_interval_s) if every_s is None else every_s
        return PeriodicJob("housekeeping", self.run_once, every_s=interval, first_after_s=first_after_s, logger=log)

    # -- internals ----------------------------------------------------------------------------------------

    async def _delete_blocks(self, blocks: Any) -> int:
        """Delete the blocks selected as (id, result count), in batches; returns the results they held."""
        removed = 0
        while True:
            async with self._sessionmaker() as session, session.begin():
                chunk = (await session.execute(blocks.limit(self.batch_rows))).all()
                if chunk:
                    await session.execute(delete(ResultBlock).where(ResultBlock.id.in_([row[0] for row in chunk])))
            self.batches += 1
            count = sum(int(row[1]) for row in chunk)
            removed += count
            if self._metrics is not None and count:
                self._metrics.housekeeping_deleted.labels("check_result").inc(count)
            if len(chunk) < self.batch_rows:
                return removed
            await asyncio.sleep(self.pause_s)

    async def _delete_in_batches(self, model: Any, ids: Any, kind: str) -> int:
        removed = 0
        table = model.__table__
        while True:
            chunk = ids.limit(self.batch_rows).scalar_subquery()
            async with self._sessionmaker() as session, session.begin():
                res = await session.execute(delete(table).where(table.c.id.in_(chunk)))
            count = int(getattr(res, "rowcount", 0) or 0)
            self.batches += 1
            removed += count
            if self._metrics is not None and count:
                self._metrics.housekeeping_deleted.labels(kind).inc(count)
            if count < self.batch_rows:
                return removed
            await asyncio.sleep(self.pause_s)  # the recorder (and pages) take their turn
