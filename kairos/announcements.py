"""Announcements: rendering what an author wrote into safe HTML, and which ones show now."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Announcement

_SEVERITY = {"PROBLEM": 0, "WARNING": 1, "INFORMATION": 2}


async def active_announcements(session: AsyncSession, now: datetime) -> list[Announcement]:
    """Active ones whose "active until" has not passed: problems first, then warnings, newest first."""
    stmt = select(Announcement).where(
        Announcement.active.is_(True), or_(Announcement.active_until.is_(None), Announcement.active_until > now)
    )
    rows = list((await session.execute(stmt)).scalars())
    rows.sort(key=lambda a: (_SEVERITY.get(a.kind, 3), -a.created_at.timestamp()))
    return rows
