"""Status pages: storing them (slug, title, description, groups, announcements, domain, logo) and finding the
page a slug or a Host names. Who may see what on a page is kairos/web/status_page_data.py's business."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.status_pages import StatusPageCreate, StatusPageUpdate
from kairos.db.models import Announcement, ResourceGroup, StatusPage, StatusPageAnnouncement, StatusPageGroup
from kairos.errors import Conflict, Invalid, NotFound
from kairos.services.announcement_html import render_off_loop
from kairos.services.rows import get_or_not_found
from kairos.services.status_logo import check_logo


async def list_pages(session: AsyncSession) -> list[StatusPage]:
    return list((await session.execute(select(StatusPage).order_by(StatusPage.slug))).scalars())


async def get(session: AsyncSession, page_id: int) -> StatusPage:
    return await get_or_not_found(session, StatusPage, page_id, "status page")


async def by_slug(session: AsyncSession, slug: str) -> StatusPage:
    row = (await session.execute(select(StatusPage).where(StatusPage.slug == slug.lower()))).scalar_one_or_none()
    if row is None:
        raise NotFound.of("status page")
    return row


async def by_domain(session: AsyncSession, name: str) -> StatusPage | None:
    """The page whose custom domain is ``name`` (lower case, no port), if any."""
    if not name:
        return None
    return (await session.execute(select(StatusPage).where(StatusPage.domain == name))).scalar_one_or_none()


async def logo_of(session: AsyncSession, slug: str) -> tuple[bytes, str]:
    """The logo's bytes and content type; ``NotFound`` when the page or its logo does not exist."""
    stmt = select(StatusPage.logo, StatusPage.logo_type).where(StatusPage.slug == slug.lower())
    found = (await session.execute(stmt)).one_or_none()
    if found is None or found[0] is None or found[1] is None:
        raise NotFound.of("logo")
    return bytes(found[0]), str(found[1])


async def domains(session: AsyncSession) -> set[str]:
    """Every custom domain: the Host check allows them (kairos/web/hosts.py)."""
    stmt = select(StatusPage.domain).where(StatusPage.domain.is_not(None))
    return {d for d in (await session.execute(stmt)).scalars() if d}


async def _check_ids(session: AsyncSession, model: Any, ids: Sequence[int], field: str, what: str) -> None:
    if not ids:
        return
    found = set((await session.execute(select(model.id).where(model.id.in_(list(ids))))).scalars())
    for i, item in enumerate(ids):
        if item not in found:
            raise Invalid(f"{what} {item} does not exist", field=f"{field}[{i}]")


async def _check_unique(session: AsyncSession, row: StatusPage, slug: str | None, domain: str | None) -> None:
    if slug is not None:
        stmt = select(func.count()).where(StatusPage.slug == slug, StatusPage.id != (row.id or 0))
        if (await session.execute(stmt)).scalar_one():
            raise Conflict(f"the slug {slug!r} is taken by another status page", field="slug")
    if domain is not None:
        stmt = select(func.count()).where(StatusPage.domain == domain, StatusPage.id != (row.id or 0))
        if (await session.execute(stmt)).scalar_one():
            raise Conflict(f"the domain {domain!r} is used by another status page", field="domain")


async def _set_groups(session: AsyncSession, row: StatusPage, group_ids: Sequence[int]) -> None:
    await _check_ids(session, ResourceGroup, group_ids, "groupIds", "group")
    by_id = {link.group_id: link for link in row.groups}
    row.groups = [by_id.get(gid) or StatusPageGroup(group_id=gid) for gid in group_ids]
    for position, link in enumerate(row.groups):
        link.position = position


async def _set_announcements(session: AsyncSession, row: StatusPage, ids: Sequence[int]) -> None:
    await _check_ids(session, Announcement, ids, "announcementIds", "announcement")
    by_id = {link.announcement_id: link for link in row.announcements}
    row.announcements = [by_id.get(aid) or StatusPageAnnouncement(announcement_id=aid) for aid in ids]


async def create(session: AsyncSession, body: StatusPageCreate) -> StatusPage:
    row = StatusPage(
        slug=body.slug,
        title=body.title,
        description=body.description,
        description_html=await render_off_loop(body.description),
        domain=body.domain,
        groups=[],
        announcements=[],
    )
    await _check_unique(session, row, body.slug, body.domain)
    await _set_groups(session, row, body.group_ids)
    await _set_announcements(session, row, body.announcement_ids)
    session.add(row)
    await session.commit()
    return await get(session, row.id)


async def update(session: AsyncSession, page_id: int, body: StatusPageUpdate) -> StatusPage:
    """Fields left out keep their value; ``domain: null`` removes the custom domain."""
    row = await get(session, page_id)
    given = body.model_fields_set
    await _check_unique(session, row, body.slug, body.domain)
    if body.slug is not None:
        row.slug = body.slug
    if body.title is not None:
        row.title = body.title
    if body.description is not None:
        row.description = body.description
        row.description_html = await render_off_loop(body.description)
    if "domain" in given:
        row.domain = body.domain
    if body.group_ids is not None:
        await _set_groups(session, row, body.group_ids)
    if body.announcement_ids is not None:
        await _set_announcements(session, row, body.announcement_ids)
    await session.commit()
    await session.refresh(row)
    return row


async def delete(session: AsyncSession, page_id: int) -> None:
    await session.delete(await get(session, page_id))
    await session.commit()


async def set_logo(session: AsyncSession, page_id: int, data: bytes) -> StatusPage:
    row = await get(session, page_id)
    row.logo_type = check_logo(data)
    row.logo = data
    await session.commit()
    return row


async def clear_logo(session: AsyncSession, page_id: int) -> StatusPage:
    row = await get(session, page_id)
    row.logo, row.logo_type = None, None
    await session.commit()
    return row
