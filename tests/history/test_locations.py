"""History by location: blocks and journal rows carry where their results were checked; a read can keep one
location, and paging stays exact when two locations recorded the same millisecond."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.errors import Invalid
from kairos.history import reader
from kairos.history.codec import BlockBuilder, ms_of
from kairos.history.writer import Writer, blocks_of
from kairos.probes.base import ProbeResult, Status
from kairos.services import history

T0 = datetime(2026, 6, 1, tzinfo=UTC)
RID = 11
LOCATIONS = ("eu", "us", "ap")


@pytest.fixture
async def sm(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


def _results(location: str, times: list[datetime]) -> list[ProbeResult]:
    # "us" fails every third check, so a location's results are told apart by their status and message too.
    return [
        ProbeResult(
            Status.NOT_AVAILABLE if location == "us" and i % 3 == 0 else Status.AVAILABLE,
            f"{location} {i}",
            checked_at=t,
        )
        for i, t in enumerate(times)
    ]


async def _store(s: AsyncSession, writer: Writer, closed: list[datetime], open_: list[datetime]) -> None:
    """Every location checks at the very same milliseconds: closed blocks, then journal rows, one per location."""
    for location in LOCATIONS:
        blocks = blocks_of(RID, _results(location, closed))
        await writer.write_blocks(s, blocks, location=location, rollups=False)
        journal = BlockBuilder()
        for r in _results(location, open_):
            journal.add(ms_of(r.checked_at), r)
        await writer.append_journal(s, [(RID, journal)], open_[-1], owner=f"w-{location}", location=location)
    await s.commit()


@pytest.fixture
async def stored(sm: async_sessionmaker[AsyncSession], db_url: str) -> list[datetime]:
    times = [T0 + timedelta(minutes=7 * i) for i in range(60)]  # several 15-minute buckets
    writer = Writer("postgresql" if db_url.startswith("postgresql") else "sqlite")
    async with sm() as s:
        await _store(s, writer, times[:-6], times[-6:])
    return times


async def test_every_result_carries_its_location(sm: async_sessionmaker[AsyncSession], stored: list[datetime]) -> None:
    async with sm() as s:
        everything = await reader.everything(s, RID)
        journal = (await reader.whole_journal(s))[RID]
    assert len(everything) == len(stored) * len(LOCATIONS)
    assert all(r.message.startswith(r.location + " ") for r in everything)
    assert {r.location for r in journal} == set(LOCATIONS) and len(journal) == 6 * len(LOCATIONS)


@pytest.mark.parametrize("location", LOCATIONS)
async def test_a_location_filter_keeps_only_that_location_in_blocks_and_journal(
    sm: async_sessionmaker[AsyncSession], stored: list[datetime], location: str
) -> None:
    async with sm() as s:
        everything = await reader.everything(s, RID)
        for want, limit in (
            (reader.Range(location=location), 10_000),
            (reader.Range(location=location), 4),  # journal only
            (reader.Range(location=location, status="NOT_AVAILABLE"), 10_000),
            (reader.Range(ms_of(stored[10]), ms_of(stored[40]), location=location), 10_000),
        ):
            for newest_first in (True, False):
                got = await reader.page(s, RID, want, limit, newest_first=newest_first)
                expected = sorted((r for r in everything if want.admits(r)), key=lambda r: r.id, reverse=newest_first)
                assert [(r.id, r.location, r.message) for r in got] == [
                    (r.id, r.location, r.message) for r in expected[:limit]
                ]
                # Only "us" ever failed: the status filter finds nothing elsewhere, every other case finds some.
                assert {r.location for r in got} == (set() if want.status and location != "us" else {location})


async def test_an_unknown_location_has_no_results(sm: async_sessionmaker[AsyncSession], stored: list[datetime]) -> None:
    async with sm() as s:
        assert await reader.page(s, RID, reader.Range(location="mars"), 100) == []


async def test_find_tells_apart_two_locations_at_the_same_millisecond(
    sm: async_sessionmaker[AsyncSession], stored: list[datetime]
) -> None:
    async with sm() as s:
        for at in (stored[3], stored[-1]):  # in a block, in the journal
            for location in LOCATIONS:
                found = await reader.find(s, RID, ms_of(at), location)
                assert found is not None and found.location == location
                assert found.message.startswith(location)
            first = await reader.find(s, RID, ms_of(at))
            assert first is not None and first.location == min(LOCATIONS)
        assert await reader.find(s, RID, ms_of(stored[3]), "mars") is None


@pytest.mark.parametrize("limit", [1, 2, 5, 7])
async def test_paging_with_the_cursor_loses_and_repeats_nothing(
    sm: async_sessionmaker[AsyncSession], stored: list[datetime], limit: int
) -> None:
    """Page boundaries fall between locations of one millisecond (3 locations, pages of 1, 2, 5, 7)."""
    seen: list[tuple[int, str]] = []
    async with sm() as s:
        before: str | None = None
        while True:
            rows, before = await history.page(s, RID, history.HistoryFilter(limit=limit, before=before))
            seen += [(r.id, r.location) for r in rows]
            if before is None:
                break
    assert seen == sorted(((ms_of(t), loc) for t in stored for loc in LOCATIONS), key=lambda k: (-k[0], k[1]))


async def test_paging_one_location_and_a_bare_id_cursor(
    sm: async_sessionmaker[AsyncSession], stored: list[datetime]
) -> None:
    async with sm() as s:
        rows, cursor = await history.page(s, RID, history.HistoryFilter(limit=3, location="us"))
        assert [r.location for r in rows] == ["us"] * 3 and cursor == f"{rows[-1].id}@us"
        # A bare id (older clients) means "older than that millisecond in every location".
        rows, _ = await history.page(s, RID, history.HistoryFilter(limit=3, before=str(ms_of(stored[-1]))))
        assert [(r.id, r.location) for r in rows] == [(ms_of(stored[-2]), loc) for loc in sorted(LOCATIONS)]


@pytest.mark.parametrize(
    ("wanted", "field"),
    [
        (history.HistoryFilter(location="EU"), "location"),
        (history.HistoryFilter(location="eu/1"), "location"),
        (history.HistoryFilter(location=""), "location"),
        (history.HistoryFilter(before="123@Not A Place"), "before"),
        (history.HistoryFilter(before=f"{ms_of(T0)}@mars"), "before"),
        (history.HistoryFilter(before="1@eu"), "before"),
    ],
)
async def test_bad_locations_and_cursors_are_named(
    sm: async_sessionmaker[AsyncSession], stored: list[datetime], wanted: history.HistoryFilter, field: str
) -> None:
    async with sm() as s:
        with pytest.raises(Invalid) as caught:
            await history.page(s, RID, wanted)
    assert caught.value.field == field
