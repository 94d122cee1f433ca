from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.models import Outage, Resource, ResourceState, Rollup1d, Rollup15m
from kairos.history.reader import everything
from kairos.probes.base import Phases, ProbeResult, Status
from kairos.rollups.live import LiveUptime
from kairos.scheduler.recorder import Record, Recorder, state_row
from kairos.scheduler.state import RuntimeState, apply_result

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def sm(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def add_resource(sm: async_sessionmaker[AsyncSession], name: str = "r") -> int:
    async with sm() as s:
        r = Resource(name=name, kind="TCP", target="127.0.0.1:1", config={})
        s.add(r)
        await s.commit()
        return r.id


def feed(recorder: Recorder, state: RuntimeState, rid: int, statuses: list[Status], start: datetime) -> None:
    for i, status in enumerate(statuses):
        res = ProbeResult(
            status,
            status.value,
            "boom" if status is Status.NOT_AVAILABLE else None,
            Phases(dns_ms=1.0, connect_ms=2.0, total_ms=10.0 + i),
            checked_at=start + timedelta(minutes=i),
        )
        tr = apply_result(state, res, outage_threshold=3, recovery_threshold=2)
        recorder.add(Record(rid, res, state_row(rid, state), tr))


async def test_a_batch_writes_results_rollups_state_and_outages_together(
    sm: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    rid = await add_resource(sm)
    recorder = Recorder(sm, "postgresql" if db_url.startswith("postgresql") else "sqlite", batch_size=4)
    state = RuntimeState()
    feed(
        recorder,
        state,
        rid,
        [Status.AVAILABLE, *[Status.NOT_AVAILABLE] * 3, Status.AVAILABLE, Status.AVAILABLE, Status.UNKNOWN],
        T0,
    )
    assert await recorder.flush() == 7
    async with sm() as s:
        assert len(await everything(s)) == 7
        rollup = (await s.execute(select(Rollup15m))).scalars().one()
        assert (rollup.available, rollup.not_available, rollup.unknown) == (3, 3, 1)
        assert rollup.latency_count == 6 and rollup.latency_min == 10.0 and rollup.latency_max == 15.0
        assert rollup.dns_count == 6 and rollup.dns_sum == 6.0
        day = (await s.execute(select(Rollup1d))).scalars().one()
        assert day.available == 3
        outage = (await s.execute(select(Outage))).scalars().one()
        assert outage.started_at == T0 + timedelta(minutes=1)
        assert outage.ended_at == T0 + timedelta(minutes=4)
        st = await s.get(ResourceState, rid)
        assert st is not None and st.status == "UNKNOWN" and st.ok_streak == 2
        live = LiveUptime()
        await live.load(s, (T0 + timedelta(minutes=10)).timestamp())
        up = {rid: live.get(rid)}
    assert up[rid]["h24"] == 50.0


async def test_later_batches_add_to_the_same_rollup_bucket(sm: async_sessionmaker[AsyncSession], db_url: str) -> None:
    rid = await add_resource(sm)
    recorder = Recorder(sm, "postgresql" if db_url.startswith("postgresql") else "sqlite")
    state = RuntimeState()
    feed(recorder, state, rid, [Status.AVAILABLE] * 2, T0)
    await recorder.flush()
    feed(recorder, state, rid, [Status.NOT_AVAILABLE], T0 + timedelta(minutes=5))
    await recorder.flush()
    async with sm() as s:
        rollup = (await s.execute(select(Rollup15m))).scalars().one()
    assert (rollup.available, rollup.not_available, rollup.latency_min, rollup.latency_max) == (2, 1, 10.0, 11.0)


async def test_results_of_a_deleted_resource_do_not_block_the_others(
    sm: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    keep, gone = await add_resource(sm, "keep"), await add_resource(sm, "gone")
    recorder = Recorder(sm, "postgresql" if db_url.startswith("postgresql") else "sqlite")
    feed(recorder, RuntimeState(), gone, [Status.AVAILABLE], T0)
    feed(recorder, RuntimeState(), keep, [Status.AVAILABLE], T0)
    async with sm() as s:
        await s.delete(await s.get(Resource, gone))
        await s.commit()
    await recorder.flush()  # nobody told the recorder: the foreign key catches it
    async with sm() as s:
        rows = [r.resource_id for r in await everything(s)]
    assert rows == [keep]


async def test_results_that_arrive_while_a_batch_is_written_are_kept(
    sm: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    rid = await add_resource(sm)
    recorder = Recorder(sm, "postgresql" if db_url.startswith("postgresql") else "sqlite")
    state = RuntimeState()
    feed(recorder, state, rid, [Status.AVAILABLE], T0)
    writer = recorder._writer
    original = writer.upsert_states
    arrivals = [[Status.NOT_AVAILABLE] * 2]

    async def slow_upsert(session: AsyncSession, rows: list[dict[str, object]]) -> None:
        if arrivals:  # two results come in while the first batch is being written
            feed(recorder, state, rid, arrivals.pop(), T0 + timedelta(minutes=1))
        await original(session, rows)

    writer.upsert_states = slow_upsert  # type: ignore[method-assign]
    await recorder.flush()
    writer.upsert_states = original  # type: ignore[method-assign]
    assert recorder.pending == 0
    async with sm() as s:
        assert len(await everything(s)) == 3
