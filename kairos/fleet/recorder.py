"""The worker's recorder: the single process's journal and blocks, plus the fleet's quorum verdict.

Each flush, in one transaction: the batch's journal rows (owner = this worker, location = its location); the
resources' verdict rows locked (``SELECT … FOR UPDATE`` in id order), so that two locations recording the same
resource at once take turns and cannot both open, or both miss, an outage; every location's state of those
resources read; each result folded in time order (kairos.fleet.verdict); this location's state rows, the verdict
rows, outages and notification events written; and ``NOTIFY kairos_results`` (delivered at commit) for web
nodes. Rollups count the verdict: its samples are kept per bucket and added when the bucket closes, beside this
location's raw results as blocks. A close also checks that this worker was not declared dead meanwhile (its
journal would then have been closed by the leader, kairos.fleet.adopt): such a worker stops instead of writing
the same results twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any, cast

from sqlalchemy import Table, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.bulk import upsert_unnest
from kairos.db.models import FleetLocation, LocationState, ResourceState
from kairos.fleet.channels import notify_results
from kairos.fleet.verdict import Fold, location_row, location_state_of
from kairos.history.codec import BlockBuilder, builder_in
from kairos.history.writer import BlockKey
from kairos.notify.events import events_of
from kairos.probes.base import ProbeResult
from kairos.probes.kinds import spec_of
from kairos.probes.spec import AfterResult, HookMetrics
from kairos.rollups.buckets import FIFTEEN_MIN, RollupDelta, bucket_of, delta_in
from kairos.scheduler.catalog import Scheduled, TypeSettings, load_states
from kairos.scheduler.recorder import Record, Recorder, state_row
from kairos.scheduler.state import NOT_CHECKED, RuntimeState

log = logging.getLogger("kairos.fleet")

_PLACEHOLDER = {"status": "UNKNOWN", "fail_streak": 0, "ok_streak": 0, "last_message": NOT_CHECKED}
_OWN_ROW = text("SELECT 1 FROM fleet_worker WHERE id = :id FOR UPDATE")


class DeclaredDead(Exception):
    """The fleet took this worker for dead and closed its journal: it must stop, not write again."""


class FleetRecorder(Recorder):
    def __init__(
        self,
        *args: Any,
        owner: str,
        location: str,
        resources: Callable[[], Mapping[int, Scheduled]],
        types: Callable[[], Mapping[str, TypeSettings]],
        metrics: HookMetrics,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.location = location
        self._resources = resources
        self._types = types
        self._metrics = metrics
        self._verdicts: dict[BlockKey, RollupDelta] = {}  # verdict samples of open buckets, for their rollups
        self._outcomes: dict[int, ProbeResult] = {}  # id(record) -> its verdict, from the last _write
        self._stated: set[int] = set()  # resources known to have a resource_state row
        self.dead = asyncio.Event()  # set when DeclaredDead: the worker stops

    def forget(self, resource_id: int) -> None:
        super().forget(resource_id)
        self._verdicts = {k: d for k, d in self._verdicts.items() if k[0] != resource_id}
        self._stated.discard(resource_id)

    # -- each flush ---------------------------------------------------------------------------------------

    async def _write(self, batch: list[Record]) -> None:
        self._outcomes.clear()
        resources = self._resources()
        batch = [r for r in batch if r.resource_id in resources]
        if not batch:
            return
        journal, late = self._split(batch)
        now = self._now()
        async with self._sessionmaker() as session, session.begin():
            if journal:
                await self._writer.append_journal(
                    session, journal.items(), now, owner=self.owner, location=self.location
                )
            await self._writer.write_blocks(session, late, location=self.location, rollups=False)
            ids = sorted({r.resource_id for r in batch})
            verdicts = await self._lock_verdicts(session, ids)
            fold = Fold(self.location, await _live(session), resources, self._types())
            fold.locations = await _location_states(session, ids)
            late_verdicts: dict[BlockKey, RollupDelta] = {}
            for r in sorted(batch, key=lambda r: r.ms):
                await self._fold_one(session, fold, r, verdicts[r.resource_id], late_verdicts)
            await self._writer.add_rollups(session, late_verdicts)
            mine = [location_row(rid, self.location, fold.locations[rid][self.location]) for rid in ids]
            await upsert_unnest(session, cast(Table, LocationState.__table__), mine, ["resource_id", "location"])
            await self._writer.upsert_states(session, [state_row(rid, verdicts[rid]) for rid in ids])
            await notify_results(session, (r.resource_id for r in batch))
        self._stated.update(ids)

    async def _fold_one(
        self,
        session: AsyncSession,
        fold: Fold,
        r: Record,
        verdict_state: RuntimeState,
        late_verdicts: dict[BlockKey, RollupDelta],
    ) -> None:
        res = fold.resources[r.resource_id]
        hook = spec_of(res.kind).after_result
        if hook is not None:  # against the stored verdict state: one location reports a re-pushed tag, not each
            hook(AfterResult(res.id, res.name, verdict_state, r.result, self._metrics))
        outcome = fold.apply(r.resource_id, r.result, verdict_state)
        r.transition = outcome.transition
        self._outcomes[id(r)] = outcome.verdict
        await self._apply_transition(session, Record(r.resource_id, outcome.verdict, {}, outcome.transition))
        events = events_of(r.resource_id, outcome.verdict, outcome.transition)
        if events and self.notify is not None:
            await self.notify(session, events)
        bucket = bucket_of(r.ms / 1000, FIFTEEN_MIN)
        if bucket < self._closed_before:
            delta_in(late_verdicts, (r.resource_id, bucket)).add(outcome.verdict)

    async def _lock_verdicts(self, session: AsyncSession, ids: list[int]) -> dict[int, RuntimeState]:
        """The verdict states of ``ids``, locked until commit; a resource's first result creates its row."""
        new = [i for i in ids if i not in self._stated]
        if new:
            now = self._now()
            rows = [{"resource_id": i, "last_checked_at": now, **_PLACEHOLDER} for i in new]
            await session.execute(pg_insert(ResourceState).on_conflict_do_nothing(), rows)
        return await load_states(session, ids, lock=True)

    def _after_write(self, batch: list[Record]) -> None:
        for r in batch:
            verdict = self._outcomes.get(id(r))
            if r.resource_id in self._forgotten or verdict is None:
                continue
            bucket = bucket_of(r.ms / 1000, FIFTEEN_MIN)
            if bucket >= self._closed_before:
                builder_in(self._open, (r.resource_id, bucket)).add(r.ms, r.result)
                delta_in(self._verdicts, (r.resource_id, bucket)).add(verdict)
        self._outcomes.clear()

    # -- bucket close -------------------------------------------------------------------------------------

    async def _write_close(self, target: int) -> tuple[dict[BlockKey, BlockBuilder], list[dict[str, Any]]]:
        closing = {k: b for k, b in self._open.items() if k[1] < target}
        still_open = [(k[0], b) for k, b in self._open.items() if k[1] >= target]
        verdicts = {k: d for k, d in self._verdicts.items() if k[1] < target}
        async with self._sessionmaker() as session, session.begin():
            if (await session.execute(_OWN_ROW, {"id": self.owner})).first() is None:
                self._declared_dead()
            await self._writer.write_blocks(session, closing, location=self.location, rollups=False)
            await self._writer.add_rollups(session, verdicts)
            await self._writer.replace_journal(
                session, still_open, self._now(), owner=self.owner, location=self.location
            )
        for k in verdicts:
            self._verdicts.pop(k, None)
        return closing, []

    def _declared_dead(self) -> None:
        self._open.clear()
        self._verdicts.clear()
        self.dead.set()
        raise DeclaredDead(f"worker {self.owner} was declared dead by the fleet; its journal was closed for it")

    async def close_everything(self) -> None:
        """At a clean stop: every open bucket written as blocks now, and this worker's journal emptied (a
        restarted worker has a new id and would never take it back)."""
        async with self._lock:
            if self._open or self._verdicts:
                await self._write_close(2**62)
                self._open.clear()

    async def recover(self, alive: Any = ()) -> dict[int, list[Any]]:
        """A worker starts with nothing journaled (the leader closes the journals of dead workers)."""
        self._closed_before = max(self._closed_before, self._close_target())
        return {}


async def _live(session: AsyncSession) -> set[str]:
    return set((await session.execute(select(FleetLocation.name).where(FleetLocation.up))).scalars())


async def _location_states(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, RuntimeState]]:
    out: dict[int, dict[str, RuntimeState]] = {}
    table = LocationState.__table__
    for row in await session.execute(select(*table.c).where(table.c.resource_id.in_(ids))):  # Core: no ORM objects
        out.setdefault(row.resource_id, {})[row.location] = location_state_of(row)
    return out
