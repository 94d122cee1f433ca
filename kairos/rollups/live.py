"""Sliding 24 h / 7 d / 30 d uptime counters for every resource, kept in memory.

Seeded once from the rollups at start; afterwards each result adds to the counters and, every 15 minutes,
the one bucket that slides out of each window is read back from ``rollup_15m`` and subtracted. Reading the
uptime of every resource is then a dictionary lookup, whatever the history length."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Rollup15m
from kairos.probes.base import Status
from kairos.rollups.buckets import FIFTEEN_MIN, bucket_of
from kairos.rollups.uptime import WINDOWS_H, Counts, window_counts

WINDOW_NAMES = tuple(WINDOWS_H)
WINDOW_SECONDS = tuple(h * 3600 for h in WINDOWS_H.values())


def _pct(up: int, down: int) -> float | None:
    # Six decimals: more than the four pages may show (SiteSettings.availability_decimals), so none reads rounded twice.
    return None if up + down == 0 else round(100.0 * up / (up + down), 6)


class LiveUptime:
    def __init__(self) -> None:
        # resource id -> [up_24h, down_24h, up_7d, down_7d, up_30d, down_30d]
        self._counts: dict[int, list[int]] = {}
        self._edge = 0  # the current 15-minute bucket; windows cover [edge - W, edge]

    async def load(self, session: AsyncSession, now_ts: float) -> None:
        self._edge = bucket_of(now_ts, FIFTEEN_MIN)
        counts: dict[int, list[int]] = {}
        for i, hours in enumerate(WINDOWS_H.values()):
            per: dict[int, Counts] = await window_counts(session, None, hours, now_ts)
            for rid, c in per.items():
                row = counts.setdefault(rid, [0] * 6)
                row[2 * i], row[2 * i + 1] = c.available, c.not_available
        self._counts = counts

    def add(self, resource_id: int, status: Status) -> None:
        if not status.has_verdict:  # UNKNOWN, MAINTENANCE: uptime does not count them
            return
        row = self._counts.get(resource_id)
        if row is None:
            row = self._counts[resource_id] = [0] * 6
        offset = 0 if status is Status.AVAILABLE else 1
        row[offset] += 1
        row[2 + offset] += 1
        row[4 + offset] += 1

    def forget(self, resource_id: int) -> None:
        self._counts.pop(resource_id, None)

    def needs_advance(self, now_ts: float) -> bool:
        return bucket_of(now_ts, FIFTEEN_MIN) > self._edge

    async def advance(self, session: AsyncSession, now_ts: float) -> None:
        """Subtract the buckets that left the windows since the last call."""
        target = bucket_of(now_ts, FIFTEEN_MIN)
        if target - self._edge > 4 * FIFTEEN_MIN:
            await self.load(session, now_ts)  # asleep for long: recount rather than replay
            return
        while self._edge < target:
            for i, seconds in enumerate(WINDOW_SECONDS):
                leaving = self._edge - seconds
                stmt = select(Rollup15m.resource_id, Rollup15m.available, Rollup15m.not_available).where(
                    Rollup15m.bucket == leaving
                )
                for rid, up, down in (await session.execute(stmt)).all():
                    row = self._counts.get(rid)
                    if row is not None:
                        row[2 * i] = max(0, row[2 * i] - up)
                        row[2 * i + 1] = max(0, row[2 * i + 1] - down)
            self._edge += FIFTEEN_MIN

    def get(self, resource_id: int) -> dict[str, float | None]:
        row = self._counts.get(resource_id) or [0] * 6
        return {name: _pct(row[2 * i], row[2 * i + 1]) for i, name in enumerate(WINDOW_NAMES)}

    def window(self, resource_id: int, hours: int) -> float | None:
        i = list(WINDOWS_H.values()).index(hours)
        row = self._counts.get(resource_id) or [0] * 6
        return _pct(row[2 * i], row[2 * i + 1])

    def many(self, ids: Sequence[int]) -> dict[int, dict[str, float | None]]:
        return {rid: self.get(rid) for rid in ids}
