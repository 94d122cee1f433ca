"""The 90-day bar of a status page: one entry per UTC day, from the daily rollups and the outages.

A day's uptime is AVAILABLE / (AVAILABLE + NOT_AVAILABLE) in its ``rollup_1d`` row (UNKNOWN excluded, as
everywhere); a day without checks has none ("no data", never "up"). Outages are those overlapping the day,
with the part of their length inside it. One grouped query per table for all resources of a page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Outage, Rollup1d
from kairos.rollups.buckets import ONE_DAY, bucket_of

DAYS = 90


@dataclass(slots=True)
class Day:
    start: int  # epoch seconds, UTC midnight
    available: int = 0
    not_available: int = 0
    outages: int = 0
    down_s: int = 0  # outage time inside this day

    @property
    def uptime(self) -> float | None:
        total = self.available + self.not_available
        return None if total == 0 else 100.0 * self.available / total

    @property
    def date(self) -> str:
        return datetime.fromtimestamp(self.start, UTC).date().isoformat()


def _empty(now_ts: float, days: int) -> list[Day]:
    today = bucket_of(now_ts, ONE_DAY)
    return [Day(today - (days - 1 - i) * ONE_DAY) for i in range(days)]


async def _add_rollups(session: AsyncSession, ids: Sequence[int], first: int, out: dict[int, list[Day]]) -> None:
    r = Rollup1d
    stmt = select(r.resource_id, r.bucket, r.available, r.not_available).where(
        r.resource_id.in_(list(ids)), r.bucket >= first
    )
    for rid, bucket, up, down in (await session.execute(stmt)).all():
        index = (int(bucket) - first) // ONE_DAY
        if 0 <= index < len(out[rid]):
            out[rid][index].available += int(up or 0)
            out[rid][index].not_available += int(down or 0)


async def _add_outages(
    session: AsyncSession, ids: Sequence[int], first: int, now_ts: float, out: dict[int, list[Day]]
) -> None:
    since = datetime.fromtimestamp(first, UTC)
    o = Outage
    stmt = select(o.resource_id, o.started_at, o.ended_at).where(
        o.resource_id.in_(list(ids)), or_(o.ended_at.is_(None), o.ended_at > since)
    )
    for rid, started, ended in (await session.execute(stmt)).all():
        lo = max(started.timestamp(), float(first))
        hi = min(ended.timestamp() if ended else now_ts, now_ts)
        for day in out[rid]:
            overlap = min(hi, day.start + ONE_DAY) - max(lo, day.start)
            # An outage that starts exactly at midnight belongs to that day only, not also the one before.
            if overlap > 0 or (day.start <= lo < day.start + ONE_DAY):
                day.outages += 1
                day.down_s += max(0, int(overlap))


async def daily_bars(
    session: AsyncSession, ids: Sequence[int], now_ts: float, days: int = DAYS
) -> dict[int, list[Day]]:
    """Resource id → ``days`` entries, oldest first, the last being today (UTC) so far."""
    out = {rid: _empty(now_ts, days) for rid in ids}
    if not ids:
        return out
    first = out[ids[0]][0].start
    await _add_rollups(session, ids, first, out)
    await _add_outages(session, ids, first, now_ts, out)
    return out
