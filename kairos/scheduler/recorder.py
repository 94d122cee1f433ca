"""Buffers check results and writes them: a journal entry per flush, compact blocks when a bucket closes.

A flush (every couple of seconds) appends one compact journal row with every result it took, plus the state rows,
outages and notification events those results caused, in one transaction: a kill -9 loses at most the results
of one flush interval. When a 15-minute bucket closes (a grace period after its end, so that slow checks are
in), its results are written as one compact block per resource, its rollups are added, every state touched since
is saved, and the journal is replaced by what is still open, again in one transaction. Readers combine the
blocks with the journal (kairos.history.reader).

A batch that cannot be written (SQLite busy, PostgreSQL restarting) stays in memory and is retried with
back-off, so a database outage delays history but never loses it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import Outage, Resource
from kairos.history.codec import BlockBuilder, StoredResult, builder_in, ms_of
from kairos.history.reader import whole_journal
from kairos.history.writer import BlockKey, Writer
from kairos.notify.events import Event, events_of
from kairos.probes.base import ProbeResult
from kairos.rollups.buckets import FIFTEEN_MIN, bucket_of
from kairos.scheduler.state import RuntimeState, Transition

log = logging.getLogger("kairos.recorder")

MAX_BACKOFF_S = 10.0
# A bucket closes this long after its end: a check that started before the end is recorded by then.
CLOSE_GRACE_S = 60.0


@dataclass(slots=True)
class Record:
    resource_id: int
    result: ProbeResult
    state: dict[str, Any]
    transition: Transition
    # An outage opened or closed, or the digest moved: the state row is written with this result, not at the close.
    changed: bool = True
    ms: int = field(default=0)  # the result's time in ms, unique within its resource (set by the recorder)


def state_row(resource_id: int, state: RuntimeState) -> dict[str, Any]:
    return {
        "resource_id": resource_id,
        "status": state.status.value,
        "fail_streak": state.fail_streak,
        "ok_streak": state.ok_streak,
        "streak_started_at": state.streak_started_at,
        "last_checked_at": state.last_checked_at,
        "last_latency_ms": state.last_latency_ms,
        "last_message": state.last_message,
        "last_error_code": state.last_error_code,
        "last_http_status": state.last_http_status,
        "last_details": state.last_details or None,
        "image_digest": state.image_digest,
    }


Notify = Callable[[AsyncSession, list[Event]], Awaitable[None]]


class Recorder:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        dialect: str,
        *,
        batch_size: int = 500,
        notify: Notify | None = None,
        clock: Callable[[], float] = time.time,
        close_grace_s: float = CLOSE_GRACE_S,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._writer = Writer(dialect)
        self._batch_size = batch_size
        self._clock = clock
        self._grace = close_grace_s
        self._pending: list[Record] = []
        self._open: dict[BlockKey, BlockBuilder] = {}  # journaled, not yet in a block
        self._dirty: dict[int, dict[str, Any]] = {}  # state rows newer than the stored ones
        self._last_ms: dict[int, int] = {}
        self._closed_before = 0  # buckets before this one are closed: a result for one is written at once
        self._forgotten: set[int] = set()
        self._lock = asyncio.Lock()
        self.full = asyncio.Event()
        self.failures = 0
        self.written = 0
        # Stores notification events in the batch's own transaction (kairos.notify), so none is lost or doubled.
        self.notify = notify

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def open_results(self) -> int:
        """Results journaled but not yet in a closed block."""
        return sum(len(b) for b in self._open.values())

    def add(self, record: Record) -> None:
        # A result's time is its id within the resource: keep it strictly increasing per resource.
        ms = ms_of(record.result.checked_at)
        last = self._last_ms.get(record.resource_id)
        if last is not None and ms <= last:
            ms = last + 1
        self._last_ms[record.resource_id] = record.ms = ms
        self._pending.append(record)
        if len(self._pending) >= self._batch_size:
            self.full.set()

    def forget(self, resource_id: int) -> None:
        """The resource was deleted: its buffered results have nowhere to go."""
        # Buffered results stay where they are (a flush may be writing a slice of them; it drops forgotten ones).
        self._forgotten.add(resource_id)
        self._open = {k: b for k, b in self._open.items() if k[0] != resource_id}
        self._dirty.pop(resource_id, None)

    def remember(self, resource_id: int) -> None:
        """A resource with this id exists (again)."""
        self._forgotten.discard(resource_id)

    # -- writing ------------------------------------------------------------------------------------------

    async def flush(self) -> int:
        """Write everything buffered, and close the buckets whose time has come; returns the number written.

        Raises only if the database fails (what was not written stays buffered)."""
        async with self._lock:
            written = 0
            while self._pending:
                # Results keep arriving while a batch is written: remove exactly what was taken.
                taken = self._pending[: self._batch_size]
                batch = [r for r in taken if r.resource_id not in self._forgotten]
                try:
                    await self._write(batch)
                except IntegrityError:
                    # A resource vanished between check and write: drop only its rows.
                    batch = await self._drop_orphans(batch)
                    await self._write(batch)
                del self._pending[: len(taken)]
                self._after_write(batch)
                written += len(batch)
            self.full.clear()
            self.written += written
            if self._closable():
                await self._close()
            return written

    async def flush_with_retry(self, *, deadline: float | None = None) -> None:
        """Flush until it works (or ``deadline`` on the loop clock passes), backing off between tries."""
        loop = asyncio.get_running_loop()
        backoff = 0.25
        while True:
            try:
                await self.flush()
                if self.failures:
                    log.warning("database writes recovered after %d failed attempts", self.failures)
                self.failures = 0
                return
            except (SQLAlchemyError, OSError) as exc:
                self.failures += 1
                if self.failures == 1 or self.failures % 20 == 0:
                    log.warning("cannot write %d results yet (%s); retrying", len(self._pending), _short(exc))
                if deadline is not None and loop.time() + backoff > deadline:
                    raise
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def save_states(self) -> None:
        """Store every state touched since the last close (at shutdown: the next start needs no replay)."""
        async with self._lock:
            if not self._dirty:
                return
            rows = list(self._dirty.values())
            async with self._sessionmaker() as session, session.begin():
                await self._writer.upsert_states(session, rows)
            for row in rows:
                if self._dirty.get(row["resource_id"]) is row:
                    del self._dirty[row["resource_id"]]

    async def _alive(self, ids: set[int]) -> set[int]:
        """Which of ``ids`` still exist: a resource may be deleted without the recorder being told."""
        async with self._sessionmaker() as session:
            return set((await session.execute(select(Resource.id).where(Resource.id.in_(ids)))).scalars())

    async def _drop_orphans(self, batch: list[Record]) -> list[Record]:
        ids = {r.resource_id for r in batch}
        alive = await self._alive(ids)
        self._forgotten |= ids - alive
        return [r for r in batch if r.resource_id in alive]

    def _split(self, batch: list[Record]) -> tuple[dict[int, BlockBuilder], dict[BlockKey, BlockBuilder]]:
        """The batch as journal entries (open buckets) and as blocks of its own (late for a closed bucket)."""
        journal: dict[int, BlockBuilder] = {}
        late: dict[BlockKey, BlockBuilder] = {}
        for r in batch:
            bucket = bucket_of(r.ms / 1000, FIFTEEN_MIN)
            if bucket < self._closed_before:
                builder_in(late, (r.resource_id, bucket)).add(r.ms, r.result)
            else:
                builder_in(journal, r.resource_id).add(r.ms, r.result)
        return journal, late

    async def _write(self, batch: list[Record]) -> None:
        if not batch:
            return
        journal, late = self._split(batch)
        async with self._sessionmaker() as session, session.begin():
            if journal:
                await self._writer.append_journal(session, journal.items(), self._now())
            await self._writer.write_blocks(session, late)
            changed = {r.resource_id: r.state for r in batch if r.changed}
            await self._writer.upsert_states(session, list(changed.values()))
            for r in batch:
                await self._apply_transition(session, r)
            events = [e for r in batch for e in events_of(r.resource_id, r.result, r.transition)]
            if events and self.notify is not None:
                await self.notify(session, events)

    def _after_write(self, batch: list[Record]) -> None:
        """The batch is stored: keep its open results for their block, and its newest states for the close."""
        for r in batch:
            if r.resource_id in self._forgotten:  # deleted while the batch was written
                continue
            bucket = bucket_of(r.ms / 1000, FIFTEEN_MIN)
            if bucket >= self._closed_before:
                builder_in(self._open, (r.resource_id, bucket)).add(r.ms, r.result)
            if r.changed:
                self._dirty.pop(r.resource_id, None)
            else:
                self._dirty[r.resource_id] = r.state

    def _close_target(self) -> int:
        return bucket_of(self._clock() - self._grace, FIFTEEN_MIN)

    def _closable(self) -> bool:
        target = self._close_target()
        return target > self._closed_before and any(bucket < target for _, bucket in self._open)

    async def _close(self) -> None:
        """Write every bucket that ended (plus grace) as blocks; the journal keeps only what is still open."""
        target = self._close_target()
        try:
            closing, states = await self._write_close(target)
        except IntegrityError:
            # A resource was deleted without the recorder being told: forget it, and close without it.
            ids = {k[0] for k in self._open} | set(self._dirty)
            for rid in ids - await self._alive(ids):
                self.forget(rid)
            closing, states = await self._write_close(target)
        for k in closing:
            self._open.pop(k, None)  # forget() may have dropped it while the close was written
        for row in states:
            if self._dirty.get(row["resource_id"]) is row:
                del self._dirty[row["resource_id"]]
        self._closed_before = max(self._closed_before, target)

    async def _write_close(self, target: int) -> tuple[dict[BlockKey, BlockBuilder], list[dict[str, Any]]]:
        closing = {k: b for k, b in self._open.items() if k[1] < target}
        still_open = [(k[0], b) for k, b in self._open.items() if k[1] >= target]
        states = list(self._dirty.values())
        async with self._sessionmaker() as session, session.begin():
            await self._writer.write_blocks(session, closing)
            await self._writer.upsert_states(session, states)
            await self._writer.replace_journal(session, still_open, self._now())
        return closing, states

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    # -- start-up -----------------------------------------------------------------------------------------

    async def recover(self, alive: Collection[int]) -> dict[int, list[StoredResult]]:
        """Take back the journal after a stop or a crash; returns its results per resource, oldest first.

        Buckets that ended meanwhile are closed at once; the rest stays open as if never interrupted."""
        async with self._sessionmaker() as session:
            journaled = await whole_journal(session, owner="")  # a fleet worker's rows are the leader's to close
        recovered = {rid: results for rid, results in journaled.items() if rid in alive}
        async with self._lock:
            for rid, results in recovered.items():
                for stored in results:
                    key = (rid, bucket_of(stored.id / 1000, FIFTEEN_MIN))
                    builder_in(self._open, key).add(stored.id, stored.as_probe_result())
                if results:
                    self._last_ms[rid] = max(self._last_ms.get(rid, 0), results[-1].id)
            if journaled and (self._closable() or len(recovered) < len(journaled)):
                await self._close()
            else:
                self._closed_before = max(self._closed_before, self._close_target())
        return recovered

    def closed_before(self) -> int:
        """Buckets before this one are in the database; results of later ones are only journaled."""
        return self._closed_before

    async def _apply_transition(self, session: AsyncSession, r: Record) -> None:
        tr = r.transition
        if tr.opened_at is not None:
            await session.execute(
                insert(Outage).values(
                    resource_id=r.resource_id,
                    started_at=tr.opened_at,
                    error_code=r.result.error_code,
                    message=r.result.message[:2000],
                )
            )
        elif tr.closed_at is not None:
            await session.execute(
                update(Outage)
                .where(and_(Outage.resource_id == r.resource_id, Outage.ended_at.is_(None)))
                .values(ended_at=tr.closed_at)
            )


def _short(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return f"{type(exc.orig).__name__}: {str(exc.orig).splitlines()[0][:200]}"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
