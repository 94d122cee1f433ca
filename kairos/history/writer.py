"""The statements that store results: journal entries, closed blocks with their rollups, and state rows.

Every function runs inside the caller's transaction (the recorder decides what commits together)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, case, delete, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.bulk import upsert_unnest
from kairos.db.models import ResourceState, ResultBlock, ResultJournal, Rollup1d, Rollup15m
from kairos.db.models.history import JOURNAL_SHARDS
from kairos.history.codec import BlockBuilder, builder_in, encode_many, ms_of
from kairos.probes.base import ProbeResult
from kairos.rollups.buckets import FIFTEEN_MIN, ONE_DAY, RollupDelta, bucket_of

BlockKey = tuple[int, int]  # (resource id, 15-minute bucket)

# Core, not ORM: the ORM's bulk-insert bookkeeping costs more than the write itself.
_BLOCK_INSERT = insert(cast(Table, ResultBlock.__table__))
_JOURNAL_INSERT = insert(cast(Table, ResultJournal.__table__))
_ADDITIVE = (
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
)


def block_row(resource_id: int, bucket: int, b: BlockBuilder, location: str = "local") -> dict[str, Any]:
    """The ``result_block`` row of one resource's closed bucket (also used by the migration that made them)."""
    up, down, unknown = b.counts()
    return {
        "bucket": bucket,
        "resource_id": resource_id,
        "location": location,
        "first_ms": min(b.t),
        "last_ms": max(b.t),
        "available": up,
        "not_available": down,
        "unknown": unknown,
        "payload": b.encode(),
    }


class Writer:
    def __init__(self, dialect: str) -> None:
        self._dialect = dialect

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(table)

    # -- journal ------------------------------------------------------------------------------------------

    async def append_journal(
        self,
        session: AsyncSession,
        entries: Iterable[tuple[int, BlockBuilder]],
        at: datetime,
        *,
        owner: str = "",
        location: str = "local",
    ) -> None:
        """One row per shard of resources (``resource id % JOURNAL_SHARDS``), so a reader decodes only its own.

        ``owner`` is the fleet worker that wrote it ("" for the single process), ``location`` where it checked."""
        shards: dict[int, list[tuple[int, BlockBuilder]]] = {}
        for rid, b in entries:
            shards.setdefault(rid % JOURNAL_SHARDS, []).append((rid, b))
        rows = [
            {"written_at": at, "shard": k, "owner": owner, "location": location, "payload": encode_many(shards[k])}
            for k in sorted(shards)
        ]
        if rows:
            await session.execute(_JOURNAL_INSERT, rows)

    async def replace_journal(
        self,
        session: AsyncSession,
        entries: Sequence[tuple[int, BlockBuilder]],
        at: datetime,
        *,
        owner: str = "",
        location: str = "local",
    ) -> None:
        """Drop ``owner``'s entries and keep only ``entries`` (the results still open after a close)."""
        await session.execute(delete(ResultJournal).where(ResultJournal.owner == owner))
        if any(len(b) for _, b in entries):
            await self.append_journal(session, entries, at, owner=owner, location=location)

    # -- closed blocks and their rollups ------------------------------------------------------------------

    async def write_blocks(
        self,
        session: AsyncSession,
        blocks: Mapping[BlockKey, BlockBuilder],
        *,
        location: str = "local",
        rollups: bool = True,
    ) -> None:
        """Store closed blocks in (bucket, resource) order and, unless told not to (the fleet's rollups count the
        quorum verdict, not each location's results), add them to the 15-minute and daily rollups."""
        keys = sorted((k for k, b in blocks.items() if len(b)), key=lambda k: (k[1], k[0]))
        if not keys:
            return
        await session.execute(
            _BLOCK_INSERT, [block_row(rid, bucket, blocks[(rid, bucket)], location) for rid, bucket in keys]
        )
        if rollups:
            await self.add_rollups(session, {k: blocks[k].delta for k in keys})

    async def add_rollups(self, session: AsyncSession, deltas: Mapping[BlockKey, RollupDelta]) -> None:
        """Add counts of 15-minute buckets to their rollup rows and to their days' rows."""
        keys = sorted((k for k, d in deltas.items() if d.available + d.not_available + d.unknown), key=_by_bucket)
        if not keys:
            return
        await session.execute(self._rollup_upserts[Rollup15m], [deltas[k].as_row(*k) for k in keys])
        daily: dict[BlockKey, RollupDelta] = {}
        for rid, bucket in keys:
            day = daily.setdefault((rid, bucket_of(bucket, ONE_DAY)), RollupDelta())
            day.merge(deltas[(rid, bucket)])
        await session.execute(
            self._rollup_upserts[Rollup1d], [daily[k].as_row(*k) for k in sorted(daily, key=_by_bucket)]
        )

    @functools.cached_property
    def _rollup_upserts(self) -> dict[Any, Any]:
        """One additive upsert per rollup table, built once: a close only binds new rows to it."""
        return {model: self._rollup_upsert(model.__table__) for model in (Rollup15m, Rollup1d)}

    def _rollup_upsert(self, table: Any) -> Any:
        # Additive, because a late result (checked before its bucket closed, recorded after) adds to a stored row.
        stmt = self._insert(table)
        t, ex = table.c, stmt.excluded
        values: dict[str, Any] = {c: t[c] + ex[c] for c in _ADDITIVE}
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

    # -- state rows ---------------------------------------------------------------------------------------

    @functools.cached_property
    def _state_upsert(self) -> Any:
        stmt = self._insert(ResourceState.__table__)
        cols = [c.name for c in ResourceState.__table__.c if c.name != "resource_id"]
        return stmt.on_conflict_do_update(index_elements=["resource_id"], set_={c: stmt.excluded[c] for c in cols})

    async def upsert_states(self, session: AsyncSession, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        ordered = sorted(rows, key=lambda r: r["resource_id"])  # one lock order: concurrent writers never deadlock
        if self._dialect == "postgresql":
            await upsert_unnest(session, cast(Table, ResourceState.__table__), ordered, ["resource_id"])
        else:
            await session.execute(self._state_upsert, ordered)


def _by_bucket(key: BlockKey) -> tuple[int, int]:
    return key[1], key[0]


def blocks_of(resource_id: int, results: Iterable[ProbeResult]) -> dict[BlockKey, BlockBuilder]:
    """Results as closed blocks, ready for :meth:`Writer.write_blocks` (imports, seeding, benchmarks)."""
    blocks: dict[BlockKey, BlockBuilder] = {}
    last = 0
    for result in sorted(results, key=lambda r: r.checked_at):
        ms = max(ms_of(result.checked_at), last + 1)
        last = ms
        builder_in(blocks, (resource_id, bucket_of(ms / 1000, FIFTEEN_MIN))).add(ms, result)
    return blocks
