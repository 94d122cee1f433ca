"""Latency samples for charts: at most ``MAX_POINTS`` averaged slots per window.

24 hours read the raw results (one slot is a few minutes, finer than the 15-minute rollups), averaged here
from the decoded blocks; 7 and 30 days read ``rollup_15m`` in SQL with slots that are whole multiples of its
buckets, so a bucket never straddles two slots. Checks with status UNKNOWN carry no latency of the target
and are left out, as in the rollups."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Rollup15m
from kairos.history import reader
from kairos.probes.base import Status
from kairos.rollups.buckets import FIFTEEN_MIN
from kairos.rollups.timeline import Recent, live_from

MAX_POINTS = 500
RAW_WINDOW_HOURS = 24


@dataclass(frozen=True, slots=True)
class LatencySample:
    start: int  # epoch seconds, slot start
    latency_ms: float | None
    dns_ms: float | None
    connect_ms: float | None
    tls_ms: float | None


def slot_seconds(hours: int) -> int:
    """Slot length giving at most MAX_POINTS slots: whole minutes on raw data, whole buckets on rollups."""
    window = hours * 3600
    if hours <= RAW_WINDOW_HOURS:
        return math.ceil(window / MAX_POINTS / 60) * 60
    return math.ceil(window / FIFTEEN_MIN / MAX_POINTS) * FIFTEEN_MIN


def _first_slot(hours: int, now_ts: float, size: int) -> int:
    # The first slot boundary inside the window, so the window never holds more than MAX_POINTS slots.
    return (int(now_ts - hours * 3600) // size + 1) * size


def _int(value: int) -> Any:
    # Inlined, not bound: PostgreSQL matches GROUP BY to the select list only when both are the same text.
    return literal_column(str(int(value)), BigInteger)


def _epoch(session: AsyncSession, column: Any) -> Any:
    """Seconds since 1970 of a naive-UTC timestamp column, in the dialect's own SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", column), BigInteger)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


async def _from_raw(session: AsyncSession, resource_id: int, start: int, size: int) -> list[LatencySample]:
    slots: dict[int, list[list[float]]] = {}
    for r in await reader.between(session, resource_id, start * 1000):
        if not Status(r.status).has_verdict or r.latency_ms is None:
            continue
        sums = slots.setdefault((r.id // 1000 - start) // size, [[], [], [], []])
        for values, value in zip(sums, (r.latency_ms, r.dns_ms, r.connect_ms, r.tls_ms), strict=True):
            if value is not None:
                values.append(value)
    return [
        LatencySample(start + s * size, *(_round(sum(v) / len(v)) if v else None for v in slots[s]))
        for s in sorted(slots)
    ]


def _weighted(total: Any, count: Any) -> float | None:
    return round(float(total) / int(count), 2) if count else None


async def _from_rollups(
    session: AsyncSession, resource_id: int, start: int, size: int, now_ts: float, recent: Recent | None
) -> list[LatencySample]:
    r = Rollup15m
    end = live_from(now_ts) if recent is not None else int(now_ts) + 1
    slot = (r.bucket - _int(start)) // _int(size)
    stmt = (
        select(
            slot.label("slot"),
            func.sum(r.latency_sum),
            func.sum(r.latency_count),
            func.sum(r.dns_sum),
            func.sum(r.dns_count),
            func.sum(r.connect_sum),
            func.sum(r.connect_count),
            func.sum(r.tls_sum),
            func.sum(r.tls_count),
        )
        # By key (no per-resource index on rollup_15m): bucket IN (...) AND resource_id = ?.
        .where(r.bucket.in_(list(range(start, end, FIFTEEN_MIN))), r.resource_id == resource_id, r.latency_count > 0)
        .group_by(slot)
    )
    sums: dict[int, list[float]] = {
        int(row[0]): [float(x or 0) for x in row[1:]] for row in await session.execute(stmt)
    }
    if recent is not None:  # the last 24 hours from the live board: rollups are written when a bucket closes
        for b in recent([resource_id], now_ts).get(resource_id, []):
            if b.start >= max(start, end) and b.latency_count:
                row = sums.setdefault((b.start - start) // size, [0.0] * 8)
                live = [b.latency_sum, b.latency_count, b.dns_sum, b.dns_count]
                live += [b.connect_sum, b.connect_count, b.tls_sum, b.tls_count]
                for k, value in enumerate(live):
                    row[k] += value
    return [
        LatencySample(
            start + s * size,
            _weighted(v[0], v[1]),
            _weighted(v[2], v[3]),
            _weighted(v[4], v[5]),
            _weighted(v[6], v[7]),
        )
        for s, v in sorted(sums.items())
    ]


async def latency_samples(
    session: AsyncSession, resource_id: int, hours: int, now_ts: float, recent: Recent | None = None
) -> list[LatencySample]:
    """Averaged latency per slot over the last ``hours``, oldest first, at most MAX_POINTS points; with
    ``recent`` (the live board's 15-minute blocks) the last 24 hours of a long window come from it."""
    size = slot_seconds(hours)
    start = _first_slot(hours, now_ts, size)
    if hours <= RAW_WINDOW_HOURS:
        return await _from_raw(session, resource_id, start, size)
    return await _from_rollups(session, resource_id, start, size, now_ts, recent)
