"""The last 24 hours of 15-minute rollups of every resource, kept in memory.

The dashboard shows 96 blocks for every resource on every load; reading them from the database means
materialising ~100,000 rows per 1,000 resources, which alone costs more than our whole read budget. Each
resource instead has a ring of 96 slots (counters as float32, ~5 KB), filled from ``rollup_15m`` at start
and then by each result as it is recorded. Beside the counters each ring keeps one status letter and the
mean latency per slot, so the compact dashboard view is a couple of slices per resource."""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Rollup15m
from kairos.probes.base import ProbeResult, Status
from kairos.rollups.buckets import FIFTEEN_MIN, bucket_of
from kairos.rollups.timeline import BLOCKS, COUNTERS, Block

WIDTH = 11  # available, not_available, unknown, then (count, sum) for latency, dns, connect, tls
NO_DATA, UP, DOWN, UNKNOWN, MAINT = b"-", b"A", b"N", b"U", b"M"
NAN = float("nan")
_ZERO_SLOT = array("f", [0.0]) * WIDTH


class _Ring:
    """96 slots; slot i holds the bucket whose index modulo 96 is i, for buckets up to ``latest``."""

    __slots__ = ("held", "latency", "latest", "status", "values")

    def __init__(self) -> None:
        self.values = array("f", _ZERO_SLOT) * BLOCKS
        # 1 where a result was recorded during a maintenance window (the rollups count those as unknown; pages add
        # the windows' marks for what was loaded from them, kairos.web.maintenance_marks).
        self.held = bytearray(BLOCKS)
        self.status = bytearray(NO_DATA * BLOCKS)
        self.latency = array("f", [NAN]) * BLOCKS
        self.latest = -1

    def slot(self, bucket: int) -> int | None:
        """The slot for ``bucket``, clearing the slots the ring skips over; None if it is too old."""
        if bucket > self.latest:
            first = bucket - (BLOCKS - 1) * FIFTEEN_MIN
            start = max(self.latest + FIFTEEN_MIN, first) if self.latest >= 0 else first
            for b in range(start, bucket + FIFTEEN_MIN, FIFTEEN_MIN):
                self._clear((b // FIFTEEN_MIN) % BLOCKS)
            self.latest = bucket
        elif bucket <= self.latest - BLOCKS * FIFTEEN_MIN:
            return None
        return (bucket // FIFTEEN_MIN) % BLOCKS

    def _clear(self, i: int) -> None:
        self.values[i * WIDTH : (i + 1) * WIDTH] = _ZERO_SLOT
        self.status[i] = NO_DATA[0]
        self.held[i] = 0
        self.latency[i] = NAN

    def refresh(self, i: int) -> None:
        v, base = self.values, i * WIDTH
        letter = (
            DOWN if v[base + 1] else MAINT if self.held[i] else UP if v[base] else UNKNOWN if v[base + 2] else NO_DATA
        )
        self.status[i] = letter[0]
        self.latency[i] = v[base + 4] / v[base + 3] if v[base + 3] else NAN

    def window(self, edge: int) -> tuple[int, int]:
        """Rotation offset for a window ending at bucket ``edge`` and how many trailing slots have no data."""
        first = edge - (BLOCKS - 1) * FIFTEEN_MIN
        empty = BLOCKS if self.latest < first else max(0, (edge - self.latest) // FIFTEEN_MIN)
        return (first // FIFTEEN_MIN) % BLOCKS, min(BLOCKS, empty)


class LiveTimeline:
    def __init__(self) -> None:
        self._rings: dict[int, _Ring] = {}

    async def load(self, session: AsyncSession, now_ts: float) -> None:
        start = bucket_of(now_ts, FIFTEEN_MIN) - (BLOCKS - 1) * FIFTEEN_MIN
        r = Rollup15m
        stmt = select(r.resource_id, r.bucket, *COUNTERS).where(r.bucket >= start).order_by(r.bucket)
        rings: dict[int, _Ring] = {}
        for row in (await session.execute(stmt)).all():
            ring = rings.get(row[0])
            if ring is None:
                ring = rings[row[0]] = _Ring()
            i = ring.slot(row[1])
            if i is not None:
                ring.values[i * WIDTH : (i + 1) * WIDTH] = array("f", row[2:])
                ring.refresh(i)
        self._rings = rings

    def add(self, resource_id: int, result: ProbeResult) -> None:
        ring = self._rings.get(resource_id)
        if ring is None:
            ring = self._rings[resource_id] = _Ring()
        i = ring.slot(bucket_of(result.checked_at.timestamp(), FIFTEEN_MIN))
        if i is None:
            return
        v, base = ring.values, i * WIDTH
        if not result.status.has_verdict:  # UNKNOWN, MAINTENANCE: counted as "unknown", like the rollups
            v[base + 2] += 1
            if result.status is Status.MAINTENANCE:
                ring.held[i] = 1
        else:
            v[base + (0 if result.status is Status.AVAILABLE else 1)] += 1
            p = result.phases
            for offset, value in ((3, p.total_ms), (5, p.dns_ms), (7, p.connect_ms), (9, p.tls_ms)):
                if value is not None:
                    v[base + offset] += 1
                    v[base + offset + 1] += value
        ring.refresh(i)

    def forget(self, resource_id: int) -> None:
        self._rings.pop(resource_id, None)

    def compact(self, resource_id: int, now_ts: float) -> tuple[str, list[float | None]]:
        """96 status letters (A up, N down, U unknown, M maintenance, - no data) and mean latencies, oldest first."""
        ring = self._rings.get(resource_id)
        if ring is None:
            return "-" * BLOCKS, [None] * BLOCKS
        offset, empty = ring.window(bucket_of(now_ts, FIFTEEN_MIN))
        status = ring.status[offset:] + ring.status[:offset]
        latency = (ring.latency[offset:] + ring.latency[:offset]).tolist()
        if empty:
            status[BLOCKS - empty :] = NO_DATA * empty
            latency[BLOCKS - empty :] = [NAN] * empty
        return status.decode(), [None if math.isnan(x) else round(x, 2) for x in latency]

    def letters(self, resource_id: int, now_ts: float) -> str:
        """Only the 96 status letters of ``compact``: a 1,000-row dashboard spent most of its time rounding
        the latencies it does not show."""
        ring = self._rings.get(resource_id)
        if ring is None:
            return "-" * BLOCKS
        offset, empty = ring.window(bucket_of(now_ts, FIFTEEN_MIN))
        status = (ring.status[offset:] + ring.status[:offset]).decode()
        return status[: BLOCKS - empty] + "-" * empty if empty else status

    def blocks(self, resource_id: int, now_ts: float) -> list[Block]:
        """The 96 full blocks (counts and phase means) of the last 24 hours, oldest first."""
        edge = bucket_of(now_ts, FIFTEEN_MIN)
        first = edge - (BLOCKS - 1) * FIFTEEN_MIN
        out = [Block(first + k * FIFTEEN_MIN, FIFTEEN_MIN) for k in range(BLOCKS)]
        ring = self._rings.get(resource_id)
        if ring is None:
            return out
        _offset, empty = ring.window(edge)
        v = ring.values
        for block in out[: BLOCKS - empty]:
            base = ((block.start // FIFTEEN_MIN) % BLOCKS) * WIDTH
            block.available, block.not_available, block.unknown = int(v[base]), int(v[base + 1]), int(v[base + 2])
            block.latency_count, block.latency_sum = int(v[base + 3]), v[base + 4]
            block.dns_count, block.dns_sum = int(v[base + 5]), v[base + 6]
            block.connect_count, block.connect_sum = int(v[base + 7]), v[base + 8]
            block.tls_count, block.tls_sum = int(v[base + 9]), v[base + 10]
            block.maintenance = bool(ring.held[(block.start // FIFTEEN_MIN) % BLOCKS])
        return out

    def many(self, ids: Sequence[int], now_ts: float) -> dict[int, list[Block]]:
        return {rid: self.blocks(rid, now_ts) for rid in ids}
