"""Timelines of 96 blocks (15 min for 24 h, 105 min for 7 days, 450 min for 30 days) from rollups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Rollup15m
from kairos.rollups.buckets import FIFTEEN_MIN, bucket_of

BLOCKS = 96
# The rollup columns a block adds up, in the order Block and the in-memory ring keep them.
COUNTERS = (
    Rollup15m.available,
    Rollup15m.not_available,
    Rollup15m.unknown,
    Rollup15m.latency_count,
    Rollup15m.latency_sum,
    Rollup15m.dns_count,
    Rollup15m.dns_sum,
    Rollup15m.connect_count,
    Rollup15m.connect_sum,
    Rollup15m.tls_count,
    Rollup15m.tls_sum,
)
ALLOWED_HOURS = (24, 168, 720)
KEY_LOOKUPS = 20_000  # beyond this many (bucket, resource) keys one range scan is cheaper


@dataclass(slots=True)
class Block:
    start: int  # epoch seconds
    seconds: int
    available: int = 0
    not_available: int = 0
    unknown: int = 0
    latency_count: int = 0
    latency_sum: float = 0.0
    dns_count: int = 0
    dns_sum: float = 0.0
    connect_count: int = 0
    connect_sum: float = 0.0
    tls_count: int = 0
    tls_sum: float = 0.0
    maintenance: bool = False  # a maintenance window was on during the block (docs/maintenance.md)

    @property
    def status(self) -> str:
        """The worst status seen; "maintenance" when a window was on and nothing failed outside it; "unknown"
        also when nothing was checked (never shown as up)."""
        if self.not_available:
            return "not-available"
        if self.maintenance:
            return "maintenance"
        if self.available:
            return "available"
        return "unknown"

    @property
    def has_data(self) -> bool:
        return bool(self.available or self.not_available or self.unknown)

    @staticmethod
    def _avg(total: float, count: int) -> float | None:
        return round(total / count, 2) if count else None

    @property
    def latency_ms(self) -> float | None:
        return self._avg(self.latency_sum, self.latency_count)

    @property
    def dns_ms(self) -> float | None:
        return self._avg(self.dns_sum, self.dns_count)

    @property
    def connect_ms(self) -> float | None:
        return self._avg(self.connect_sum, self.connect_count)

    @property
    def tls_ms(self) -> float | None:
        return self._avg(self.tls_sum, self.tls_count)


def block_seconds(hours: int) -> int:
    return hours * 3600 // BLOCKS


def timeline_range(hours: int, now_ts: float) -> tuple[int, int]:
    """First block start and block length: the last block holds the current 15-minute bucket."""
    size = block_seconds(hours)
    end = bucket_of(now_ts, FIFTEEN_MIN) + FIFTEEN_MIN
    return end - BLOCKS * size, size


Recent = Callable[[Sequence[int], float], dict[int, list[Block]]]


def _add(into: Block, b: Block) -> None:
    into.available += b.available
    into.not_available += b.not_available
    into.unknown += b.unknown
    into.latency_count += b.latency_count
    into.latency_sum += b.latency_sum
    into.dns_count += b.dns_count
    into.dns_sum += b.dns_sum
    into.connect_count += b.connect_count
    into.connect_sum += b.connect_sum
    into.tls_count += b.tls_count
    into.tls_sum += b.tls_sum
    into.maintenance = into.maintenance or b.maintenance


def live_from(now_ts: float) -> int:
    """The first 15-minute bucket the live board holds (the last 24 hours)."""
    return bucket_of(now_ts, FIFTEEN_MIN) - (BLOCKS - 1) * FIFTEEN_MIN


async def timelines(
    session: AsyncSession, ids: Sequence[int], hours: int, now_ts: float, recent: Recent | None = None
) -> dict[int, list[Block]]:
    """96 blocks per resource from ``rollup_15m``; with ``recent`` (the live board's last 24 hours of 15-minute
    blocks), those hours come from it: the rollups of a bucket are written only when it closes."""
    if hours not in ALLOWED_HOURS:
        raise ValueError(f"hours must be one of {', '.join(map(str, ALLOWED_HOURS))}")
    start, size = timeline_range(hours, now_ts)
    out = {rid: [Block(start + i * size, size) for i in range(BLOCKS)] for rid in ids}
    if not ids:
        return out
    end = live_from(now_ts) if recent is not None else int(now_ts) + 1
    r = Rollup15m
    stmt = select(r.resource_id, r.bucket, *COUNTERS).where(r.bucket >= start, r.bucket < end, r.resource_id.in_(ids))
    buckets = range(start, end, FIFTEEN_MIN)
    if len(ids) * len(buckets) <= KEY_LOOKUPS:
        # A few resources: look their buckets up by key (rollup_15m has no per-resource index).
        stmt = stmt.where(r.bucket.in_(list(buckets)))
    for row in (await session.execute(stmt)).all():
        blocks = out.get(row[0])
        index = (row[1] - start) // size
        if blocks is None or not 0 <= index < BLOCKS:
            continue
        b = blocks[index]
        b.available += row[2]
        b.not_available += row[3]
        b.unknown += row[4]
        b.latency_count += row[5]
        b.latency_sum += row[6]
        b.dns_count += row[7]
        b.dns_sum += row[8]
        b.connect_count += row[9]
        b.connect_sum += row[10]
        b.tls_count += row[11]
        b.tls_sum += row[12]
    if recent is not None:
        for rid, live in recent(ids, now_ts).items():
            for b in live:
                index = (b.start - start) // size
                if b.start >= max(start, end) and 0 <= index < BLOCKS:
                    _add(out[rid][index], b)
    return out
