"""Uptime over rolling windows, read from rollups so its cost does not grow with history.

A window is covered by 15-minute buckets up to the first midnight inside it and by daily buckets after
that, so 30 days cost about as much as 24 hours. Windows start on a 15-minute boundary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Rollup1d, Rollup15m
from kairos.rollups.buckets import FIFTEEN_MIN, ONE_DAY, bucket_of

WINDOWS_H = {"h24": 24, "d7": 168, "d30": 720}


@dataclass(slots=True)
class Counts:
    available: int = 0
    not_available: int = 0

    @property
    def percentage(self) -> float | None:
        """AVAILABLE / (AVAILABLE + NOT_AVAILABLE); None, not 0, when nothing was checked."""
        total = self.available + self.not_available
        return None if total == 0 else round(100.0 * self.available / total, 6)  # as rollups.live: 6 > shown


async def _sum(
    session: AsyncSession,
    model: type[Rollup15m] | type[Rollup1d],
    ids: Sequence[int] | None,
    lo: int,
    hi: int | None,
    into: dict[int, Counts],
) -> None:
    stmt = (
        select(model.resource_id, func.sum(model.available), func.sum(model.not_available))
        .where(model.bucket >= lo)
        .group_by(model.resource_id)
    )
    if hi is not None:
        stmt = stmt.where(model.bucket < hi)
    if ids is not None:
        stmt = stmt.where(model.resource_id.in_(ids))
    for rid, up, down in (await session.execute(stmt)).all():
        c = into.setdefault(rid, Counts())
        c.available += int(up or 0)
        c.not_available += int(down or 0)


async def window_counts(
    session: AsyncSession, ids: Sequence[int] | None, hours: int, now_ts: float
) -> dict[int, Counts]:
    start = bucket_of(now_ts - hours * 3600, FIFTEEN_MIN)
    first_midnight = bucket_of(start, ONE_DAY)
    if first_midnight < start:
        first_midnight += ONE_DAY
    out: dict[int, Counts] = {}
    if first_midnight > start:
        await _sum(session, Rollup15m, ids, start, first_midnight, out)
    await _sum(session, Rollup1d, ids, first_midnight, None, out)
    return out
