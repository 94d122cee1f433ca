"""The engine's maintenance windows: loaded once, recomputed on change, asked for every result without a query.

Both recording paths call :meth:`MaintenanceHold.mark`: the single process on each result before its verdict
(kairos.scheduler.loop), the fleet on each verdict (kairos.fleet.verdict). A result during a window gets the status
MAINTENANCE and keeps what the probe saw in ``details["maintenance"]``: no streak moves, so no outage opens or
closes, no event is sent and uptime does not count it (docs/maintenance.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import GroupMember, MaintenanceWindow
from kairos.probes.base import ProbeResult, Status
from kairos.scheduler.maintenance_windows import Schedule, WindowSpec

# The occurrences kept in memory: a day back (late results) and eight ahead; the horizon moves on every reload.
BEHIND = timedelta(days=1)
AHEAD = timedelta(days=8)
# Reloaded at least this often: group memberships change without telling the engine, and a fleet worker learns of
# a change made on a web node by notification, or by this at the latest.
RELOAD_EVERY_S = 60.0


async def load_schedule(session: AsyncSession, lo: datetime, hi: datetime) -> Schedule:
    """Every stored window's occurrences in ``[lo, hi)`` (two small queries)."""
    windows = [WindowSpec.of(w) for w in (await session.execute(select(MaintenanceWindow))).scalars()]
    members: dict[int, list[int]] = defaultdict(list)
    if any(w.scope == "groups" for w in windows):
        for gid, rid in await session.execute(select(GroupMember.group_id, GroupMember.resource_id)):
            members[gid].append(rid)
    return Schedule.build(windows, members, lo, hi)


def held(result: ProbeResult, window: WindowSpec) -> ProbeResult:
    """``result`` as recorded during ``window``: status MAINTENANCE, the observed status kept in its details."""
    seen = {"windowId": window.id, "title": window.title, "observed": result.status.value}
    return replace(result, status=Status.MAINTENANCE, details={**(result.details or {}), "maintenance": seen})


class MaintenanceHold:
    def __init__(self) -> None:
        now = datetime.now(UTC)
        self.schedule = Schedule(now, now)
        self.loaded_at: float | None = None

    async def reload(self, session: AsyncSession, now_ts: float) -> None:
        now = datetime.fromtimestamp(now_ts, UTC)
        self.schedule = await load_schedule(session, now - BEHIND, now + AHEAD)
        self.loaded_at = now_ts

    def stale(self, now_ts: float) -> bool:
        return self.loaded_at is None or now_ts - self.loaded_at >= RELOAD_EVERY_S

    def window_at(self, resource_id: int, at: datetime) -> WindowSpec | None:
        return self.schedule.window_at(resource_id, at)

    def mark(self, resource_id: int, result: ProbeResult) -> ProbeResult:
        """``result`` itself, or held (a new object) when a window is on for the resource at its time."""
        window = self.schedule.window_at(resource_id, result.checked_at)
        return result if window is None else held(result, window)
