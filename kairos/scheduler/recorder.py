"""Buffers check results and writes them in batches: raw rows, rollups, state and outages together.

A batch that cannot be written (SQLite busy, PostgreSQL restarting) stays in memory and is retried with
back-off, so a database outage delays history but never loses it."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import CheckResult, Outage, Resource, ResourceState, Rollup1d, Rollup15m
from kairos.notify.events import Event, events_of
from kairos.probes.base import ProbeResult
from kairos.rollups.buckets import FIFTEEN_MIN, ONE_DAY, deltas_for
from kairos.scheduler.state import RuntimeState, Transition

log = logging.getLogger("kairos.recorder")

MAX_BACKOFF_S = 10.0
# Core, not ORM: the ORM's bulk-insert bookkeeping costs more than the write itself.
RESULTS_INSERT = insert(cast(Table, CheckResult.__table__))


@dataclass(slots=True)
class Record:
    resource_id: int
    result: ProbeResult
    state: dict[str, Any]
    transition: Transition


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


def result_row(resource_id: int, r: ProbeResult) -> dict[str, Any]:
    p = r.phases
    return {
        "resource_id": resource_id,
        "checked_at": r.checked_at,
        "status": r.status.value,
        "latency_ms": p.total_ms,
        "dns_ms": p.dns_ms,
        "connect_ms": p.connect_ms,
        "tls_ms": p.tls_ms,
        "ttfb_ms": p.ttfb_ms,
        "http_status": r.http_status,
        "error_code": r.error_code,
        "message": r.message[:2000],
        "details": r.details or None,
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
    ) -> None:
        self._sessionmaker = sessionmaker
        self._dialect = dialect
        self._batch_size = batch_size
        self._pending: list[Record] = []
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

    def add(self, record: Record) -> None:
        self._pending.append(record)
        if len(self._pending) >= self._batch_size:
            self.full.set()

    def forget(self, resource_id: int) -> None:
        """The resource was deleted: its buffered results have nowhere to go."""
        self._forgotten.add(resource_id)
        self._pending = [r for r in self._pending if r.resource_id != resource_id]

    def remember(self, resource_id: int) -> None:
        """A resource with this id exists (again): SQLite hands a deleted highest id to the next new row."""
        self._forgotten.discard(resource_id)

    async def flush(self) -> int:
        """Write everything buffered; returns the number written. Raises only if the database fails."""
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
                written += len(batch)
            self.full.clear()
            self.written += written
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

    async def _drop_orphans(self, batch: list[Record]) -> list[Record]:
        ids = {r.resource_id for r in batch}
        async with self._sessionmaker() as session:
            alive = set((await session.execute(select(Resource.id).where(Resource.id.in_(ids)))).scalars())
        self._forgotten |= ids - alive
        return [r for r in batch if r.resource_id in alive]

    async def _write(self, batch: list[Record]) -> None:
        if not batch:
            return
        async with self._sessionmaker() as session, session.begin():
            await session.execute(RESULTS_INSERT, [result_row(r.resource_id, r.result) for r in batch])
            items = [(r.resource_id, r.result) for r in batch]
            await self._upsert_rollups(session, Rollup15m, items, FIFTEEN_MIN)
            await self._upsert_rollups(session, Rollup1d, items, ONE_DAY)
            latest = {r.resource_id: r.state for r in batch}
            await self._upsert_states(session, list(latest.values()))
            for r in batch:
                await self._apply_transition(session, r)
            events = [e for r in batch for e in events_of(r.resource_id, r.result, r.transition)]
            if events and self.notify is not None:
                await self.notify(session, events)

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(table)

    @functools.cached_property
    def _rollup_upserts(self) -> dict[Any, Any]:
        """One upsert per rollup table, built once: a batch only binds new rows to it."""
        return {model: self._rollup_upsert(model.__table__) for model in (Rollup15m, Rollup1d)}

    def _rollup_upsert(self, table: Any) -> Any:
        stmt = self._insert(table)
        t, ex = table.c, stmt.excluded
        additive = [
            "available",
            "not_available",
            "unknown",
            "latency_count",
            "latency_sum",
            "dns_count",
            "dns_sum",
            "connect_count",
            "connect_sum",
            "tls_count",
            "tls_sum",
        ]
        values: dict[str, Any] = {c: t[c] + ex[c] for c in additive}
        values["latency_min"] = case(
            (ex.latency_min.is_(None), t.latency_min),
            (t.latency_min.is_(None), ex.latency_min),
            (ex.latency_min < t.latency_min, ex.latency_min),
            else_=t.latency_min,
        )
        values["latency_max"] = case(
            (ex.latency_max.is_(None), t.latency_max),
            (t.latency_max.is_(None), ex.latency_max),
            (ex.latency_max > t.latency_max, ex.latency_max),
            else_=t.latency_max,
        )
        return stmt.on_conflict_do_update(index_elements=["bucket", "resource_id"], set_=values)

    @functools.cached_property
    def _state_upsert(self) -> Any:
        stmt = self._insert(ResourceState.__table__)
        cols = [c.name for c in ResourceState.__table__.c if c.name != "resource_id"]
        return stmt.on_conflict_do_update(index_elements=["resource_id"], set_={c: stmt.excluded[c] for c in cols})

    async def _upsert_rollups(
        self, session: AsyncSession, model: Any, items: list[tuple[int, ProbeResult]], size: int
    ) -> None:
        rows = [d.as_row(rid, bucket) for (rid, bucket), d in deltas_for(items, size).items()]
        await session.execute(self._rollup_upserts[model], rows)

    async def _upsert_states(self, session: AsyncSession, rows: list[dict[str, Any]]) -> None:
        await session.execute(self._state_upsert, rows)

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
