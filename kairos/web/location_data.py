"""The resource page's "Locations" table (the fleet): each location's latest result from the live board, and
its latency over the last 24 hours from the raw results, drawn as a small server-side line (no JavaScript).

Shown when a resource is checked from more than one location or from any location but ``local``: a single
process has one location, and its page stays as it was."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.redaction import public_message
from kairos.history import reader
from kairos.history.codec import StoredResult
from kairos.probes.base import Status
from kairos.runtime import Runtime
from kairos.web.reasons import answered_latency
from kairos.web.resource_data import STATUS_CLASS, STATUS_WORD

LOCAL = "local"
WINDOW_S = 24 * 3600
POINTS = 96  # 15-minute slots: what the eye can tell apart on a line 240 units wide
WIDTH, HEIGHT = 240, 40


@dataclass(frozen=True, slots=True)
class LocationRow:
    location: str
    status: Status
    checked_at: datetime | None
    latency_ms: float | None
    message: str
    since: datetime | None  # start of its current streak
    disagrees: bool  # its latest result differs from the verdict (shown marked)
    line: str  # SVG polyline points of its 24-hour latency ("" without data)
    peak_ms: float | None  # the line's top, for its label

    @property
    def css(self) -> str:
        return STATUS_CLASS[self.status]

    @property
    def word(self) -> str:
        return STATUS_WORD[self.status]


async def location_rows(session: AsyncSession, runtime: Runtime, resource_id: int, targets: bool) -> list[LocationRow]:
    """One row per location that checked the resource, by name; empty when there is nothing to compare."""
    views = runtime.board.locations_of(resource_id)
    if not views or (len(views) == 1 and LOCAL in views):
        return []
    state = runtime.board.state(resource_id)
    verdict = state.status if state is not None else Status.UNKNOWN
    now = time.time()
    results = await reader.between(session, resource_id, int((now - WINDOW_S) * 1000))
    rows = []
    for name, v in sorted(views.items()):
        line, peak = latency_line([r for r in results if r.location == name], now)
        message = v.message if targets else public_message(v.status.value, v.error_code, v.http_status)
        disagrees = v.status is not verdict and v.status is not Status.UNKNOWN
        latency = answered_latency(v.status.value, v.http_status, v.latency_ms)  # none for a refusal
        started = v.streak_started_at
        row = LocationRow(name, v.status, v.last_checked_at, latency, message, started, disagrees, line, peak)
        rows.append(row)
    return rows


def latency_line(results: Sequence[StoredResult], now: float) -> tuple[str, float | None]:
    """Average latency per 15-minute slot of the window as polyline points (slots without data are skipped)."""
    start = now - WINDOW_S
    sums = [0.0] * POINTS
    counts = [0] * POINTS
    for r in results:
        if r.latency_ms is None or r.status == Status.UNKNOWN.value:
            continue  # UNKNOWN carries no latency of the target, as in the rollups
        slot = int((r.id / 1000 - start) / WINDOW_S * POINTS)
        if 0 <= slot < POINTS:
            sums[slot] += r.latency_ms
            counts[slot] += 1
    averages = [(i, sums[i] / counts[i]) for i in range(POINTS) if counts[i]]
    if not averages:
        return "", None
    peak = max(a for _, a in averages) or 1.0
    step = WIDTH / (POINTS - 1)
    points = " ".join(f"{i * step:.1f},{HEIGHT - a / peak * (HEIGHT - 2) - 1:.1f}" for i, a in averages)
    return points, peak
