"""The schedule table: claims with SKIP LOCKED never hand one row to two workers, move the due time to the next
slot in the same statement, and "at once" claims keep the slot; rows follow the resources."""

from __future__ import annotations

import time

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import CheckSchedule, FleetLocation, Resource
from kairos.fleet import schedule
from kairos.scheduler import catalog
from kairos.scheduler.slots import slots_of

INTERVAL = 20


async def _seed(sessions: async_sessionmaker[AsyncSession], n: int, **extra: object) -> list[int]:
    async with sessions() as s, s.begin():
        await s.execute(insert(FleetLocation), [{"name": "eu", "up": True}, {"name": "us", "up": True}])
        rows = [
            {"name": f"r{i}", "kind": "HTTP", "target": f"http://127.0.0.1:9/{i}", "interval_s": INTERVAL, **extra}
            for i in range(n)
        ]
        await s.execute(insert(Resource), rows)
        return list((await s.execute(select(Resource.id).order_by(Resource.id))).scalars())


async def _sync(sessions: async_sessionmaker[AsyncSession], location: str, now: float) -> tuple[int, int, int]:
    async with sessions() as s, s.begin():
        types = await catalog.load_type_settings(s)
        resources = await catalog.load_resources(s)
        return await schedule.sync_location(s, location, resources, types, now)


async def _rows(sessions: async_sessionmaker[AsyncSession], location: str) -> dict[int, float]:
    async with sessions() as s:
        stmt = select(CheckSchedule.resource_id, CheckSchedule.due_at).where(CheckSchedule.location == location)
        return {rid: due for rid, due in await s.execute(stmt)}


async def test_two_workers_claiming_at_once_get_disjoint_rows_and_every_due_one(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _seed(pg_sessions, 60)
    now = time.time()
    assert await _sync(pg_sessions, "eu", now) == (60, 0, 0)
    before = await _rows(pg_sessions, "eu")
    assert all(slots_of(rid, INTERVAL).holds(due) for rid, due in before.items())  # on each resource's slot
    # Both transactions stay open: the second must skip what the first holds, not wait for it.
    async with pg_sessions() as a, pg_sessions() as b:
        await a.begin()
        await b.begin()
        first = await schedule.claim(a, "eu", now, now + INTERVAL, 25)
        second = await schedule.claim(b, "eu", now, now + INTERVAL, 1000)
        await a.commit()
        await b.commit()
    got_a = {c.resource_id for c in first}
    got_b = {c.resource_id for c in second}
    assert len(first) == 25 and not got_a & got_b
    assert got_a | got_b == set(ids)
    after = await _rows(pg_sessions, "eu")
    for c in [*first, *second]:
        assert c.due == before[c.resource_id] and not c.asap
        assert after[c.resource_id] == before[c.resource_id] + INTERVAL  # moved by the claim itself
    async with pg_sessions() as s, s.begin():
        assert await schedule.claim(s, "eu", now, now + INTERVAL - 1e-3, 1000) == []  # nothing due twice


async def test_a_long_missed_due_time_moves_to_the_next_slot_not_a_burst(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    [rid] = await _seed(pg_sessions, 1)
    now = time.time()
    await _sync(pg_sessions, "eu", now)
    due = (await _rows(pg_sessions, "eu"))[rid]
    async with pg_sessions() as s, s.begin():
        await s.execute(update(CheckSchedule).values(due_at=due - 50 * INTERVAL))  # everything was down
    async with pg_sessions() as s, s.begin():
        [claimed] = await schedule.claim(s, "eu", now, now + 1, 10)
    nxt = (await _rows(pg_sessions, "eu"))[rid]
    assert claimed.due == due - 50 * INTERVAL
    assert now <= nxt <= now + INTERVAL and slots_of(rid, INTERVAL).holds(nxt)


async def test_check_now_is_claimed_at_once_in_every_location_and_keeps_the_slot(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    [rid] = await _seed(pg_sessions, 1)
    now = time.time()
    await _sync(pg_sessions, "eu", now)
    await _sync(pg_sessions, "us", now)
    due = (await _rows(pg_sessions, "eu"))[rid]
    async with pg_sessions() as s, s.begin():
        assert await schedule.check_now(s, rid, now) == 2
    for location in ("eu", "us"):
        async with pg_sessions() as s, s.begin():
            claimed = await schedule.claim(s, location, now, now + 0.001, 10)
        assert [(c.resource_id, c.asap) for c in claimed if c.asap] == [(rid, True)]
        assert (await _rows(pg_sessions, location))[rid] in (due, due + INTERVAL)  # still on its slot
    async with pg_sessions() as s, s.begin():
        assert [c for c in await schedule.claim(s, "eu", now, now + 0.001, 10) if c.asap] == []


async def test_rows_follow_locations_enabled_and_interval(pg_sessions: async_sessionmaker[AsyncSession]) -> None:
    a, b, c = await _seed(pg_sessions, 3)
    async with pg_sessions() as s, s.begin():
        await s.execute(update(Resource).where(Resource.id == a).values(locations=["us"]))
        await s.execute(update(Resource).where(Resource.id == b).values(enabled=False))
    now = time.time()
    assert await _sync(pg_sessions, "eu", now) == (1, 0, 0)  # only c: a is us-only, b is disabled
    assert set(await _rows(pg_sessions, "us")) == set()
    assert await _sync(pg_sessions, "us", now) == (2, 0, 0)
    assert set(await _rows(pg_sessions, "us")) == {a, c}
    async with pg_sessions() as s, s.begin():
        await s.execute(update(Resource).where(Resource.id == c).values(interval_s=60))
    assert await _sync(pg_sessions, "eu", now) == (0, 0, 1)
    assert slots_of(c, 60).holds((await _rows(pg_sessions, "eu"))[c])
    # An edit through sync_resource: every known location that checks it, at once.
    async with pg_sessions() as s, s.begin():
        await s.execute(update(Resource).where(Resource.id == b).values(enabled=True, locations=["eu"]))
        types = await catalog.load_type_settings(s)
        await schedule.sync_resource(s, b, await catalog.load_one(s, b), types, now)
    async with pg_sessions() as s:
        rows = (await s.execute(select(CheckSchedule).where(CheckSchedule.resource_id == b))).scalars().all()
    assert [(r.location, r.asap_at) for r in rows] == [("eu", now)]
    async with pg_sessions() as s, s.begin():
        await schedule.sync_resource(s, b, None, types, now)  # deleted
    async with pg_sessions() as s:
        assert (await s.execute(select(CheckSchedule).where(CheckSchedule.resource_id == b))).first() is None
