"""Maintenance windows on the pages: the marks on the 96-block timeline and the bands on the latency chart.

The live ring marks blocks in which a result was recorded during a window; blocks loaded from the rollups (after
a restart) get their mark from the stored windows here. A deleted window's past marks go with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.rollups.buckets import FIFTEEN_MIN
from kairos.rollups.timeline import BLOCKS
from kairos.scheduler.maintenance import load_schedule
from kairos.scheduler.maintenance_windows import Schedule

CHART_BACK = timedelta(days=30)  # the latency chart's longest window


async def day_schedule(session: AsyncSession, edge: int) -> Schedule:
    """The windows' occurrences over the 24 hours of 96 blocks ending with the block starting at ``edge``."""
    lo = datetime.fromtimestamp(edge - (BLOCKS - 1) * FIFTEEN_MIN, UTC)
    return await load_schedule(session, lo, datetime.fromtimestamp(edge + FIFTEEN_MIN, UTC))


def marked(letters: str, schedule: Schedule, resource_id: int, edge: int) -> str:
    """``letters`` (96, oldest first) with M on every block a window overlapped and nothing failed in."""
    spans = schedule.spans_of(resource_id)
    if not spans:
        return letters
    first = edge - (BLOCKS - 1) * FIFTEEN_MIN
    out = list(letters)
    for s, e in spans:
        lo = max(0, (int(s.timestamp()) - first) // FIFTEEN_MIN)
        hi = min(BLOCKS - 1, (int(e.timestamp()) - 1 - first) // FIFTEEN_MIN)
        for i in range(lo, hi + 1):
            if out[i] != "N":
                out[i] = "M"
    return "".join(out)


async def chart_spans(session: AsyncSession, resource_id: int, now: datetime) -> list[list[int]]:
    """The resource's maintenance over the chart's range, as [start ms, end ms] pairs for resource.js."""
    schedule = await load_schedule(session, now - CHART_BACK, now + timedelta(minutes=1))
    return [[int(s.timestamp() * 1000), int(e.timestamp() * 1000)] for s, e in schedule.spans_of(resource_id)]
