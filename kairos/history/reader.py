"""One resource's raw results: closed blocks from ``result_block`` plus the journal's still-open results.

Blocks are found by key, ``bucket IN (...) AND resource_id = ?``, walking a chunk of days at a time from the
newest (or oldest) end of the wanted range until a page is full: a page costs a few index seeks and the
decoding of the blocks it shows, whatever the number of resources or the length of the history."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import ResultBlock, ResultJournal
from kairos.db.models.history import JOURNAL_SHARDS
from kairos.history.codec import StoredResult, decode_block, decode_columns, decode_many, unpack
from kairos.rollups.buckets import FIFTEEN_MIN, bucket_of

FIRST_CHUNK = 8  # two hours of blocks in the first query
CHUNK_BUCKETS = 4 * 96  # at most four days of blocks per query
_STATUS_COLUMN = {
    "AVAILABLE": ResultBlock.available,
    "NOT_AVAILABLE": ResultBlock.not_available,
    "UNKNOWN": ResultBlock.unknown,
    "MAINTENANCE": ResultBlock.unknown,  # rollups count maintenance results as unknown (docs/maintenance.md)
}


@dataclass(frozen=True, slots=True)
class Range:
    """Results with ``lo_ms <= id < hi_ms`` (either end open when None) and, if set, this status, this location,
    and ordered after ``after`` in the newest-first order (a paging cursor, see :func:`order_key`)."""

    lo_ms: int | None = None
    hi_ms: int | None = None
    status: str | None = None
    location: str | None = None
    after: tuple[int, str] | None = None  # (id, location) of the last result of the previous newest-first page

    def admits(self, r: StoredResult) -> bool:
        return (
            (self.lo_ms is None or r.id >= self.lo_ms)
            and (self.hi_ms is None or r.id < self.hi_ms)
            and (self.status is None or r.status == self.status)
            and (self.location is None or r.location == self.location)
            and (self.after is None or order_key(r) > (-self.after[0], self.after[1]))
        )

    @property
    def upper_ms(self) -> int | None:
        """The exclusive upper end in ms, the cursor included: what the block lookup may skip."""
        ends = [e for e in (self.hi_ms, None if self.after is None else self.after[0] + 1) if e is not None]
        return min(ends) if ends else None


def order_key(r: StoredResult) -> tuple[int, str]:
    """Newest first, then by location name: ids are unique per (resource, location) only, and two locations may
    record the same millisecond, so a page boundary needs both to be exact."""
    return (-r.id, r.location)


async def journaled(session: AsyncSession, resource_id: int, location: str | None = None) -> list[StoredResult]:
    """The resource's results that are not in a closed block yet (of one location, if given), oldest first.

    The location is filtered here rather than in SQL: the journal holds minutes and has no index to use."""
    out: list[StoredResult] = []
    j = ResultJournal
    stmt = select(j.location, j.payload).where(j.shard == resource_id % JOURNAL_SHARDS).order_by(j.id)
    for row_location, payload in await session.execute(stmt):
        if location is not None and row_location != location:
            continue
        for rid, cols in unpack(payload)["r"]:
            if int(rid) == resource_id:
                out.extend(decode_columns(resource_id, cols, row_location))
    out.sort(key=lambda r: (r.id, r.location))
    return out


async def _bounds(session: AsyncSession, want: Range) -> tuple[int, int] | None:
    # Two statements: SQLite answers a lone min() or max() from the index, but scans the table for both at once.
    lo = (await session.execute(select(func.min(ResultBlock.bucket)))).scalar()
    hi = (await session.execute(select(func.max(ResultBlock.bucket)))).scalar()
    if lo is None or hi is None:
        return None
    if want.lo_ms is not None:
        lo = max(int(lo), bucket_of(want.lo_ms / 1000, FIFTEEN_MIN))
    if (upper := want.upper_ms) is not None:
        hi = min(int(hi), bucket_of((upper - 1) / 1000, FIFTEEN_MIN))
    return (int(lo), int(hi)) if lo <= hi else None


def _chunks(lo: int, hi: int, newest_first: bool) -> Iterator[list[int]]:
    """Bucket lists to look up, from one end: small first (a page of a frequent check is a few blocks), then
    growing up to CHUNK_BUCKETS (a sparse filter or a rare check walks days at a time)."""
    size = FIRST_CHUNK
    if newest_first:
        top = hi
        while top >= lo:
            start = max(lo, top - (size - 1) * FIFTEEN_MIN)
            yield list(range(start, top + FIFTEEN_MIN, FIFTEEN_MIN))
            top = start - FIFTEEN_MIN
            size = min(size * 4, CHUNK_BUCKETS)
    else:
        bottom = lo
        while bottom <= hi:
            end = min(hi, bottom + (size - 1) * FIFTEEN_MIN)
            yield list(range(bottom, end + FIFTEEN_MIN, FIFTEEN_MIN))
            bottom = end + FIFTEEN_MIN
            size = min(size * 4, CHUNK_BUCKETS)


async def _blocks(
    session: AsyncSession, resource_id: int, buckets: list[int], want: Range, newest_first: bool
) -> Iterator[tuple[int, list[StoredResult]]]:
    """The chunk's blocks in bucket order from the wanted end, each decoded only when the caller gets to it."""
    b = ResultBlock
    stmt = select(b.bucket, b.location, b.payload).where(b.bucket.in_(buckets), b.resource_id == resource_id)
    if want.status is not None:
        stmt = stmt.where(_STATUS_COLUMN[want.status] > 0)
    if want.location is not None:
        stmt = stmt.where(b.location == want.location)
    rows = sorted((await session.execute(stmt)).all(), key=lambda row: row[0], reverse=newest_first)
    return (
        (bucket, [r for r in decode_block(resource_id, payload, location) if want.admits(r)])
        for bucket, location, payload in rows
    )


def _edge(bucket: int, newest_first: bool) -> int:
    """The time in ms beyond which no unread block of this walk holds a result, once ``bucket`` is read."""
    return (bucket if newest_first else bucket + FIFTEEN_MIN) * 1000


async def page(
    session: AsyncSession, resource_id: int, want: Range, limit: int, *, newest_first: bool = True
) -> list[StoredResult]:
    """Up to ``limit`` results in ``want``, newest first (or oldest first); results of one millisecond in
    several locations are ordered by location name (reversed when oldest first)."""
    found = [r for r in await journaled(session, resource_id, want.location) if want.admits(r)]
    bounds = await _bounds(session, want)

    def full(edge_ms: int) -> bool:
        # Blocks not read yet lie wholly beyond ``edge_ms``: the page is complete once it holds ``limit``
        # results on this side of it.
        inside = sum(1 for r in found if (r.id >= edge_ms if newest_first else r.id < edge_ms))
        return inside >= limit

    if bounds is not None:
        for buckets in _chunks(*bounds, newest_first):
            done, previous = False, None
            for bucket, results in await _blocks(session, resource_id, buckets, want, newest_first):
                # A bucket may have several blocks (a late result gets its own): judge when the bucket is done.
                if previous is not None and bucket != previous and full(_edge(previous, newest_first)):
                    done = True
                    break
                found.extend(results)
                previous = bucket
            if done or full(_edge(buckets[0] if newest_first else buckets[-1], newest_first)):
                break
    found.sort(key=order_key, reverse=not newest_first)
    return found[:limit]


async def between(session: AsyncSession, resource_id: int, lo_ms: int, hi_ms: int | None = None) -> list[StoredResult]:
    """Every result from ``lo_ms`` (to ``hi_ms``), oldest first: for charts over a bounded window."""
    return await page(session, resource_id, Range(lo_ms, hi_ms), limit=10**9, newest_first=False)


async def find(
    session: AsyncSession, resource_id: int, result_id: int, location: str | None = None
) -> StoredResult | None:
    """The result with this id (its time in ms) checked in ``location``, if the resource has it; without a
    location, the first by location name of the results of that millisecond."""
    hits = await page(session, resource_id, Range(result_id, result_id + 1, location=location), limit=1)
    return hits[0] if hits else None


async def everything(session: AsyncSession, resource_id: int | None = None) -> list[StoredResult]:
    """Every stored result (of one resource, or of all), oldest first: for exports, tests and benchmarks."""
    b = ResultBlock
    stmt = select(b.resource_id, b.location, b.payload).order_by(b.bucket, b.id)
    if resource_id is not None:
        stmt = stmt.where(b.resource_id == resource_id)
    out = [r for rid, loc, payload in await session.execute(stmt) for r in decode_block(rid, payload, loc)]
    for rid, results in (await whole_journal(session)).items():
        if resource_id is None or rid == resource_id:
            out.extend(results)
    out.sort(key=lambda r: (r.id, r.resource_id, r.location))
    return out


async def whole_journal(session: AsyncSession, owner: str | None = None) -> dict[int, list[StoredResult]]:
    """Every journaled result per resource, oldest first (the recorder takes it back at start), each with the
    location of its journal row; only ``owner``'s rows when given ("" for the single process's)."""
    out: dict[int, list[StoredResult]] = {}
    j = ResultJournal
    stmt = select(j.location, j.payload).order_by(j.id)
    if owner is not None:
        stmt = stmt.where(j.owner == owner)
    for location, payload in await session.execute(stmt):
        for rid, results in decode_many(payload, location).items():
            out.setdefault(rid, []).extend(results)
    for results in out.values():
        results.sort(key=lambda r: (r.id, r.location))
    return out
