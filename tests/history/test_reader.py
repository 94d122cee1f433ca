"""Reading one resource's results from blocks and the journal gives exactly what a brute-force sort of everything
stored gives, for every page size, direction, range and status filter, including buckets with several blocks
(late results) and results still in the journal."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.history import reader
from kairos.history.codec import BlockBuilder, ms_of
from kairos.history.writer import Writer, blocks_of
from kairos.probes.base import ProbeResult, Status

T0 = datetime(2026, 6, 1, tzinfo=UTC)
RID = 7


@pytest.fixture
async def sm(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


def results(times: list[datetime], rng: random.Random) -> list[ProbeResult]:
    statuses = (Status.AVAILABLE, Status.AVAILABLE, Status.AVAILABLE, Status.NOT_AVAILABLE, Status.UNKNOWN)
    return [ProbeResult(rng.choice(statuses), f"m{i % 3}", checked_at=t) for i, t in enumerate(times)]


async def test_pages_match_a_brute_force_read(sm: async_sessionmaker[AsyncSession], db_url: str) -> None:
    rng = random.Random(3)
    writer = Writer("postgresql" if db_url.startswith("postgresql") else "sqlite")
    # Three days, irregular gaps (a long pause included), two other resources in the same buckets.
    times, t = [], T0
    while t < T0 + timedelta(days=3):
        t += timedelta(seconds=rng.choice((20, 45, 300, 3 * 3600 if rng.random() < 0.01 else 60)))
        times.append(t)
    closed, open_ = times[:-30], times[-30:]
    async with sm() as s:
        await writer.write_blocks(s, blocks_of(RID, results(closed[::2], rng)))
        await writer.write_blocks(s, blocks_of(RID, results(closed[1::2], rng)))  # a second block per bucket
        for other in (RID + 1, RID + 4):
            await writer.write_blocks(s, blocks_of(other, results(closed[::5], rng)))
        for chunk in (open_[:10], open_[10:]):
            b = BlockBuilder()
            for r in results(chunk, rng):
                b.add(ms_of(r.checked_at), r)
            await writer.append_journal(s, [(RID, b)], chunk[-1])
        await s.commit()
        everything = await reader.everything(s, RID)
        assert len(everything) == len(times)
        cases = [
            (reader.Range(), 1),
            (reader.Range(), 100),
            (reader.Range(), 10_000),
            (reader.Range(status="NOT_AVAILABLE"), 50),
            (reader.Range(status="UNKNOWN"), 7),
            (reader.Range(ms_of(times[100]), ms_of(times[900])), 40),
            (reader.Range(None, ms_of(times[500])), 25),
            (reader.Range(ms_of(times[-20]), None), 5),
        ]
        for want, limit in cases:
            for newest_first in (True, False):
                got = await reader.page(s, RID, want, limit, newest_first=newest_first)
                expected = sorted((r for r in everything if want.admits(r)), key=lambda r: r.id, reverse=newest_first)
                assert [r.id for r in got] == [r.id for r in expected[:limit]], (want, limit, newest_first)
        found = await reader.find(s, RID, everything[-1].id)
        assert found is not None and found.message == everything[-1].message
        assert await reader.find(s, RID, everything[-1].id + 1) is None
