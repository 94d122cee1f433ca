"""What a status page shows: its groups the caller may see (anonymous visitors: PUBLIC only, through
kairos.access.visibility), their resources with the current status from the live board and the 90-day bar
from the daily rollups, and the page's announcements that are showing now."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import caller_level, level_sees
from kairos.api.deps import Caller
from kairos.db.models import Announcement, GroupMember, Resource, ResourceGroup, StatusPage
from kairos.rollups.daily import DAYS, Day, daily_bars
from kairos.runtime import Runtime
from kairos.services.announcements import showing
from kairos.services.maintenance import Shown, active_and_upcoming
from kairos.web.dashboard_data import status_of


@dataclass(slots=True)
class PageRow:
    id: int
    name: str
    status: str
    days: list[Day]

    @property
    def uptime(self) -> float | None:
        """Over the whole bar: the sum of the days' counts, not the mean of their percentages."""
        up = sum(d.available for d in self.days)
        total = up + sum(d.not_available for d in self.days)
        return None if total == 0 else 100.0 * up / total


@dataclass(slots=True)
class PageSection:
    id: int
    name: str
    rows: list[PageRow] = field(default_factory=list)


@dataclass(slots=True)
class PageView:
    page: StatusPage
    sections: list[PageSection]
    announcements: list[Announcement]
    windows: list[Shown] = field(default_factory=list)  # maintenance on now or within 7 days, for this page
    days: int = DAYS

    @property
    def down(self) -> int:
        return len({r.id for s in self.sections for r in s.rows if r.status == "not-available"})


async def _sections(session: AsyncSession, page: StatusPage, caller: Caller) -> list[PageSection]:
    level = caller_level(caller)
    order = [link.group_id for link in page.groups]
    if not order:
        return []
    groups = {
        gid: (name, vis)
        for gid, name, vis in await session.execute(
            select(ResourceGroup.id, ResourceGroup.name, ResourceGroup.visibility).where(ResourceGroup.id.in_(order))
        )
    }
    return [PageSection(gid, groups[gid][0]) for gid in order if gid in groups and level_sees(level, groups[gid][1])]


async def _members(session: AsyncSession, group_ids: list[int]) -> list[tuple[int, int, str]]:
    stmt = (
        select(GroupMember.group_id, Resource.id, Resource.name)
        .join(Resource, Resource.id == GroupMember.resource_id)
        .where(GroupMember.group_id.in_(group_ids))
        .order_by(GroupMember.display_order, Resource.name_key, Resource.id)
    )
    return [(gid, rid, name) for gid, rid, name in (await session.execute(stmt)).all()]


async def _announcements(session: AsyncSession, page: StatusPage) -> list[Announcement]:
    ids = [link.announcement_id for link in page.announcements]
    if not ids:
        return []
    stmt = (
        select(Announcement)
        .where(Announcement.id.in_(ids), showing(datetime.now(UTC)))
        .order_by(Announcement.created_at.desc())
    )
    return list((await session.execute(stmt)).scalars())


async def load_page(session: AsyncSession, runtime: Runtime, caller: Caller, page: StatusPage) -> PageView:
    sections = await _sections(session, page, caller)
    members = await _members(session, [s.id for s in sections])
    ids = list(dict.fromkeys(rid for _gid, rid, _name in members))
    bars = await daily_bars(session, ids, time.time())
    by_id = {s.id: s for s in sections}
    for gid, rid, name in members:
        by_id[gid].rows.append(PageRow(rid, name, status_of(runtime.board.state(rid)), bars[rid]))
    windows = await _windows(session, caller, [s.id for s in sections], ids)
    return PageView(page, sections, await _announcements(session, page), windows)


async def _windows(session: AsyncSession, caller: Caller, group_ids: list[int], ids: list[int]) -> list[Shown]:
    """The maintenance windows the dashboard would show this caller that concern this page: those for
    everything, for one of its groups, or for one of its resources."""
    groups, resources = set(group_ids), set(ids)
    shown = await active_and_upcoming(session, caller, datetime.now(UTC), manager=False)
    return [
        w
        for w in shown
        if w.row.scope == "all"
        or (w.row.scope == "groups" and groups.intersection(w.scope_ids))
        or (w.row.scope == "resources" and resources.intersection(w.scope_ids))
    ]


def bar_level(day: Day) -> str:
    """The CSS class of one day in the bar (no inline style: the page's CSP refuses it)."""
    uptime = day.uptime
    if uptime is None:
        return "none"
    if uptime >= 99.9 and not day.outages:
        return "up"
    if uptime >= 99.0:
        return "minor"
    return "major" if uptime >= 95.0 else "down"


def _minutes(seconds: int) -> str:
    hours, minutes = divmod(max(1, round(seconds / 60)), 60)
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"


def bar_title(day: Day, decimals: int) -> str:
    """The tooltip: ``2026-12-01 · 99.31% up · 1 outage (12m)``, or ``… · no data``."""
    uptime = day.uptime
    parts = [day.date, "no data" if uptime is None else f"{uptime:.{decimals}f}% up"]
    if day.outages:
        parts.append(f"{day.outages} outage{'s' if day.outages != 1 else ''} ({_minutes(day.down_s)})")
    elif uptime is not None:
        parts.append("no outage")
    return " · ".join(parts)
