"""Announcements: which ones show now, who wrote one, and storing what an author sends.

Content is rendered once, when stored (``content_html``), by kairos/services/announcement_html.py. Who may
call is the adapter's business; the author is whoever the adapter says called (see :class:`Author`)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.announcements import AnnouncementCreate, AnnouncementUpdate
from kairos.db.models import Announcement, ApiKey, AppUser
from kairos.services.announcement_html import render_off_loop
from kairos.services.rows import get_or_not_found

KINDS = ("INFORMATION", "WARNING", "PROBLEM")
_SEVERITY = {"PROBLEM": 0, "WARNING": 1, "INFORMATION": 2}
PER_PAGE = 20


class Author(Protocol):
    """What an authenticated caller tells about itself (the API's ``Caller`` fits)."""

    @property
    def kind(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def user_id(self) -> int | None: ...
    @property
    def key_id(self) -> int | None: ...


def showing(now: datetime) -> ColumnElement[bool]:
    """SQL condition: the announcement is on the status pages at ``now`` (active and not expired)."""
    return and_(
        Announcement.active.is_(True), or_(Announcement.active_until.is_(None), Announcement.active_until > now)
    )


def is_showing(row: Announcement, now: datetime) -> bool:
    return row.active and (row.active_until is None or row.active_until > now)


async def active_announcements(session: AsyncSession, now: datetime) -> list[Announcement]:
    """Active ones whose "active until" has not passed: problems first, then warnings, newest first."""
    rows = list((await session.execute(select(Announcement).where(showing(now)))).scalars())
    rows.sort(key=lambda a: (_SEVERITY.get(a.kind, 3), -a.created_at.timestamp()))
    return rows


async def author_of(session: AsyncSession, caller: Author) -> str | None:
    """A user's email. An API key stands for the user who created it; a key made with the CLI has no user,
    so its name is recorded instead (``api-key:<name>``)."""
    if caller.email:
        return caller.email
    if caller.kind != "api_key" or caller.key_id is None:
        return None
    if caller.user_id is not None and (user := await session.get(AppUser, caller.user_id)) is not None:
        return user.email
    key = await session.get(ApiKey, caller.key_id)
    return f"api-key:{key.name}"[:320] if key is not None else None


def _utc(value: datetime | None) -> datetime | None:
    # Answers always carry UTC, whatever zone the request used.
    return value.astimezone(UTC) if value is not None else None


async def replace_fields(row: Announcement, body: AnnouncementCreate) -> None:
    """Every field the author controls, from a complete body (the admin form sends all of them)."""
    row.kind = body.kind
    row.content = body.content
    row.content_html = await render_off_loop(body.content)
    row.active = body.active
    row.active_until = _utc(body.active_until)


async def _apply_update(row: Announcement, body: AnnouncementUpdate) -> None:
    if body.kind is not None:
        row.kind = body.kind
    if body.content is not None:
        row.content = body.content
        row.content_html = await render_off_loop(body.content)
    if body.active is not None:
        row.active = body.active
    if "active_until" in body.model_fields_set:
        row.active_until = _utc(body.active_until)


async def list_announcements(session: AsyncSession, active: bool | None) -> list[Announcement]:
    """Newest first; ``active`` True: only those showing now, False: only those not showing, None: all."""
    stmt = select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc())
    if active is not None:
        now = datetime.now(UTC)
        stmt = stmt.where(showing(now) if active else not_(showing(now)))
    return list((await session.execute(stmt)).scalars())


async def get(session: AsyncSession, announcement_id: int) -> Announcement:
    return await get_or_not_found(session, Announcement, announcement_id, "announcement")


async def create(session: AsyncSession, body: AnnouncementCreate, caller: Author) -> Announcement:
    row = Announcement(created_by=await author_of(session, caller))
    await replace_fields(row, body)
    session.add(row)
    await session.commit()
    return row


async def replace(session: AsyncSession, row: Announcement, body: AnnouncementCreate) -> None:
    """Every field from a complete body (the console's form)."""
    await replace_fields(row, body)
    await session.commit()


async def update(session: AsyncSession, announcement_id: int, body: AnnouncementUpdate) -> Announcement:
    """Fields left out keep their value; ``activeUntil: null`` removes the end."""
    row = await get(session, announcement_id)
    await _apply_update(row, body)
    await session.commit()
    await session.refresh(row)
    return row


async def delete(session: AsyncSession, announcement_id: int) -> None:
    await session.delete(await get(session, announcement_id))
    await session.commit()


async def _page_of(session: AsyncSession, stmt: Any, order: list[Any], wanted: int) -> tuple[list[Any], int, int]:
    """One page of ``stmt`` (``wanted``, clamped to the last), its number and the number of pages (at least 1)."""
    total = (await session.execute(select(func.count()).select_from(Announcement))).scalar_one()
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(wanted, pages)
    rows = (await session.execute(stmt.order_by(*order).offset((page - 1) * PER_PAGE).limit(PER_PAGE))).all()
    return list(rows), page, pages


async def public_page(session: AsyncSession, wanted: int) -> tuple[list[tuple[Announcement, bool]], int, int]:
    """The public page: those showing now first (flag True), then the past ones, newest first in each."""
    past = case((showing(datetime.now(UTC)), 0), else_=1)
    order = [past, Announcement.created_at.desc(), Announcement.id.desc()]
    rows, page, pages = await _page_of(session, select(Announcement, past), order, wanted)
    return [(row, not was_past) for row, was_past in rows], page, pages


async def admin_page(session: AsyncSession, wanted: int) -> tuple[list[Announcement], int, int]:
    """The console's list: newest first."""
    order = [Announcement.created_at.desc(), Announcement.id.desc()]
    rows, page, pages = await _page_of(session, select(Announcement), order, wanted)
    return [row for (row,) in rows], page, pages
