"""How results are stored: a journal row per flush, compact blocks and rollups when a bucket closes, late results
written at once, and the journal taken back after a crash (the Recorder with a clock the test moves)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.models import Resource, ResourceState, ResultBlock, ResultJournal, Rollup1d, Rollup15m
from kairos.history import reader
from kairos.history.reader import everything
from kairos.probes.base import Phases, ProbeResult, Status
from kairos.scheduler.recorder import CLOSE_GRACE_S, Record, Recorder, state_row
from kairos.scheduler.state import RuntimeState, apply_result

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # a bucket boundary


class Clock:
    def __init__(self, at: datetime) -> None:
        self.now = at.timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def sm(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def resource(sm: async_sessionmaker[AsyncSession]) -> int:
    async with sm() as s:
        r = Resource(name="r", kind="TCP", target="127.0.0.1:1", config={})
        s.add(r)
        await s.commit()
        return r.id


def recorder_at(sm: async_sessionmaker[AsyncSession], db_url: str, clock: Clock) -> Recorder:
    return Recorder(sm, "postgresql" if db_url.startswith("postgresql") else "sqlite", clock=clock)


def add(rec: Recorder, state: RuntimeState, rid: int, at: datetime, status: Status = Status.AVAILABLE) -> None:
    result = ProbeResult(status, f"{status.value} message", None, Phases(total_ms=12.345), 200, {}, at)
    before = state.status
    tr = apply_result(state, result, outage_threshold=3, recovery_threshold=2)
    rec.add(Record(rid, result, state_row(rid, state), tr, changed=before is not state.status))


async def count(sm: async_sessionmaker[AsyncSession], model: type[object]) -> int:
    async with sm() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_flush_journals_and_a_closed_bucket_becomes_one_block_with_its_rollups(
    sm: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    rid = await resource(sm)
    clock = Clock(T0 + timedelta(minutes=1))
    rec = recorder_at(sm, db_url, clock)
    state = RuntimeState()
    for i in range(30):
        add(rec, state, rid, T0 + timedelta(seconds=20 * i))
        if i % 5 == 4:
            clock.now = (T0 + timedelta(seconds=20 * i + 1)).timestamp()
            await rec.flush()
    assert await count(sm, ResultJournal) == 6 and await count(sm, ResultBlock) == 0
    assert await count(sm, Rollup15m) == 0  # rollups are written when the bucket closes, not per flush
    async with sm() as s:
        assert len(await everything(s, rid)) == 30  # readers see the journal
    clock.now = (T0 + timedelta(minutes=15, seconds=CLOSE_GRACE_S + 1)).timestamp()
    add(rec, state, rid, T0 + timedelta(minutes=15, seconds=30))  # already in the next bucket
    await rec.flush()
    async with sm() as s:
        blocks = (await s.execute(select(ResultBlock))).scalars().all()
        assert [(b.resource_id, b.bucket, b.available) for b in blocks] == [(rid, int(T0.timestamp()), 30)]
        assert len(blocks[0].payload) < 30 * 60  # compact: well under 60 bytes a result
        rollup = (await s.execute(select(Rollup15m))).scalars().one()
        assert (rollup.available, rollup.latency_count, rollup.latency_min) == (30, 30, 12.345)
        assert (await s.execute(select(Rollup1d.available))).scalar_one() == 30
        assert await count(sm, ResultJournal) == 1  # only what is still open
        stored = await everything(s, rid)
    assert len(stored) == 31
    first = stored[0]
    assert (first.checked_at, first.status, first.http_status) == (T0, "AVAILABLE", 200)
    assert first.latency_ms == pytest.approx(12.345, abs=0.01)  # kept to 1/100 ms
    assert first.message == "AVAILABLE message" and stored[-1].message == "AVAILABLE message"


async def test_a_result_late_for_a_closed_bucket_is_written_at_once_and_added_to_its_rollup(
    sm: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    rid = await resource(sm)
    clock = Clock(T0 + timedelta(minutes=5))
    rec = recorder_at(sm, db_url, clock)
    state = RuntimeState()
    add(rec, state, rid, T0 + timedelta(minutes=5))
    await rec.flush()
    clock.now = (T0 + timedelta(minutes=17)).timestamp()
    add(rec, state, rid, T0 + timedelta(minutes=16))
    await rec.flush()  # closes the first bucket
    slow = await resource(sm)  # its check started before the bucket ended and finished after the close
    add(rec, RuntimeState(), slow, T0 + timedelta(minutes=14, seconds=59), Status.NOT_AVAILABLE)
    await rec.flush()
    async with sm() as s:
        bucket = int(T0.timestamp())
        rollups = (await s.execute(select(Rollup15m).where(Rollup15m.bucket == bucket))).scalars().all()
        assert {(r.resource_id, r.available, r.not_available) for r in rollups} == {(rid, 1, 0), (slow, 0, 1)}
        assert [r.status for r in await everything(s, slow)] == ["NOT_AVAILABLE"]
        assert await count(sm, ResultBlock) == 2


async def test_after_a_crash_the_journal_is_taken_back_and_closed_buckets_are_written(
    sm: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    rid = await resource(sm)
    clock = Clock(T0 + timedelta(minutes=10))
    rec = recorder_at(sm, db_url, clock)
    state = RuntimeState()
    for i in range(5):
        add(rec, state, rid, T0 + timedelta(minutes=i), Status.NOT_AVAILABLE if i >= 3 else Status.AVAILABLE)
    await rec.flush()
    # The process dies here (no close, no state save). An hour later a new one starts.
    clock.now = (T0 + timedelta(hours=1)).timestamp()
    again = recorder_at(sm, db_url, clock)
    recovered = await again.recover({rid})
    assert [r.status for r in recovered[rid]] == ["AVAILABLE"] * 3 + ["NOT_AVAILABLE"] * 2
    assert again.closed_before() > T0.timestamp()
    async with sm() as s:
        assert await count(sm, ResultJournal) == 0 and await count(sm, ResultBlock) == 1
        assert len(await everything(s, rid)) == 5  # nothing lost, nothing doubled
        st = await s.get(ResourceState, rid)
        assert st is not None and st.status == "NOT_AVAILABLE"  # written with the change, before the crash
        page = await reader.page(s, rid, reader.Range(status="NOT_AVAILABLE"), 10)
    assert [r.checked_at for r in page] == [T0 + timedelta(minutes=4), T0 + timedelta(minutes=3)]


async def test_ids_stay_unique_when_two_results_share_a_millisecond(
    sm: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    rid = await resource(sm)
    rec = recorder_at(sm, db_url, Clock(T0))
    state = RuntimeState()
    add(rec, state, rid, T0)
    add(rec, state, rid, T0)
    await rec.flush()
    async with sm() as s:
        ids = [r.id for r in await everything(s, rid)]
    assert len(set(ids)) == 2


async def test_a_resource_deleted_while_its_bucket_closes_leaves_the_others_written_once(
    sm: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    keep, gone = await resource(sm), await resource(sm)
    clock = Clock(T0 + timedelta(minutes=1))
    rec = recorder_at(sm, db_url, clock)
    add(rec, RuntimeState(), keep, T0 + timedelta(minutes=1))
    add(rec, RuntimeState(), gone, T0 + timedelta(minutes=1))
    await rec.flush()
    writer = rec._writer
    original = writer.write_blocks

    async def deleted_meanwhile(session: AsyncSession, blocks: dict[tuple[int, int], object]) -> None:
        rec.forget(gone)  # the API deletes the resource while the close is being written
        await original(session, blocks)  # type: ignore[arg-type]

    writer.write_blocks = deleted_meanwhile  # type: ignore[method-assign,assignment]
    clock.now = (T0 + timedelta(minutes=15, seconds=CLOSE_GRACE_S + 1)).timestamp()
    await rec.flush()
    writer.write_blocks = original  # type: ignore[method-assign]
    await rec.flush()
    async with sm() as s:
        assert [r.resource_id for r in await everything(s, keep)] == [keep]  # written once, not again


async def test_a_close_goes_on_when_a_resource_was_deleted_behind_the_recorders_back(
    sm: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    keep, gone = await resource(sm), await resource(sm)
    clock = Clock(T0 + timedelta(minutes=1))
    rec = recorder_at(sm, db_url, clock)
    for rid in (keep, gone):
        state = RuntimeState()
        add(rec, state, rid, T0 + timedelta(minutes=1))
        add(rec, state, rid, T0 + timedelta(minutes=2))  # unchanged: its state row waits for the close
    await rec.flush()
    async with sm() as s:
        await s.delete(await s.get(Resource, gone))  # nobody tells the recorder
        await s.commit()
    clock.now = (T0 + timedelta(minutes=15, seconds=CLOSE_GRACE_S + 1)).timestamp()
    await rec.flush()  # the state row of the deleted one would break the close's foreign key
    async with sm() as s:
        assert [r.resource_id for r in await everything(s, keep)] == [keep, keep]
        assert await count(sm, ResultJournal) == 0
        st = await s.get(ResourceState, keep)
        assert st is not None and st.ok_streak == 2


async def test_a_resource_deleted_during_a_flush_costs_no_other_result(
    sm: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    keep, gone = await resource(sm), await resource(sm)
    rec = Recorder(sm, "postgresql" if db_url.startswith("postgresql") else "sqlite", batch_size=2, clock=Clock(T0))
    state = RuntimeState()
    add(rec, state, keep, T0)
    add(rec, RuntimeState(), gone, T0)
    add(rec, state, keep, T0 + timedelta(seconds=20))  # waits for the next batch
    writer = rec._writer
    original = writer.append_journal

    async def deleted_meanwhile(*args: object) -> None:
        rec.forget(gone)  # the API deletes the resource while the first batch is being written
        await original(*args)  # type: ignore[arg-type]

    writer.append_journal = deleted_meanwhile  # type: ignore[method-assign,assignment]
    await rec.flush()
    async with sm() as s:
        assert len(await everything(s, keep)) == 2
