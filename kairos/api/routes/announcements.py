"""``/api/announcements``: notices on the status pages, with the sanitised HTML the pages show."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query, Response
from sqlalchemy import not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.announcements import render_off_loop, showing
from kairos.api.deps import OPTIONAL_AUTH, Caller, CurrentCaller, RequireAdmin, RequireAuth, SessionDep
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
from kairos.api.lookup import get_or_404
from kairos.api.schemas.announcements import (
    AnnouncementCreate,
    AnnouncementPreview,
    AnnouncementPreviewed,
    AnnouncementPublic,
    AnnouncementUpdate,
)
from kairos.db.models import Announcement, ApiKey, AppUser

router = APIRouter(prefix="/api/announcements", tags=["announcements"])


def announcement_public(row: Announcement, show_author: bool = True) -> AnnouncementPublic:
    """``show_author`` False for everyone but admins: the author's email is for the team, not the public page."""
    return AnnouncementPublic(
        id=row.id,
        kind=row.kind,
        content=row.content,
        content_html=row.content_html,
        active=row.active,
        active_until=row.active_until,
        created_by=row.created_by if show_author else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def author_of(session: AsyncSession, caller: Caller) -> str | None:
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


async def apply_create(body: AnnouncementCreate, author: str | None) -> Announcement:
    row = Announcement(created_by=author)
    await replace_fields(row, body)
    return row


async def replace_fields(row: Announcement, body: AnnouncementCreate) -> None:
    """Every field the author controls, from a complete body (the admin form sends all of them)."""
    row.kind = body.kind
    row.content = body.content
    row.content_html = await render_off_loop(body.content)
    row.active = body.active
    row.active_until = _utc(body.active_until)


async def apply_update(row: Announcement, body: AnnouncementUpdate) -> None:
    if body.kind is not None:
        row.kind = body.kind
    if body.content is not None:
        row.content = body.content
        row.content_html = await render_off_loop(body.content)
    if body.active is not None:
        row.active = body.active
    if "active_until" in body.model_fields_set:
        row.active_until = _utc(body.active_until)


@router.get(
    "",
    openapi_extra=OPTIONAL_AUTH,
    summary="List announcements",
    response_model=list[AnnouncementPublic],
    description="Public; `createdBy` only for admins (null for everyone else). Newest first. `active=true`: "
    "only those showing now (switched on and before their `activeUntil`); `active=false`: only those not showing "
    "(switched off or expired).",
    responses=error_responses(400, 401),
)
async def list_announcements(
    session: SessionDep,
    caller: CurrentCaller,
    active: bool | None = Query(None, description="Filter on showing now (see above); leave out for all."),
) -> list[AnnouncementPublic]:
    stmt = select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc())
    if active is not None:
        now = datetime.now(UTC)
        stmt = stmt.where(showing(now) if active else not_(showing(now)))
    return [announcement_public(r, caller.is_admin) for r in (await session.execute(stmt)).scalars()]


@router.post(
    "/preview",
    summary="Render Markdown as an announcement would show",
    response_model=AnnouncementPreviewed,
    description="Any signed-in caller. Stores nothing: the editor's live preview. The answer is sanitised "
    "exactly like a stored announcement's `contentHtml`.",
    responses=error_responses(400, 401, 422),
)
async def preview(body: AnnouncementPreview, _: RequireAuth) -> AnnouncementPreviewed:
    return AnnouncementPreviewed(content_html=await render_off_loop(body.content))


@router.post(
    "",
    status_code=201,
    summary="Create an announcement",
    response_model=AnnouncementPublic,
    description="Needs an admin. `createdBy` is the caller's email (for an API key: its creator's email, or "
    "`api-key:<name>`). `activeUntil` must carry a time zone.",
    responses=error_responses(400, 401, 403, 422),
)
async def create_announcement(
    body: AnnouncementCreate, session: SessionDep, caller: RequireAdmin
) -> AnnouncementPublic:
    row = await apply_create(body, await author_of(session, caller))
    session.add(row)
    await session.commit()
    return announcement_public(row)


@router.get(
    "/{announcement_id}",
    openapi_extra=OPTIONAL_AUTH,
    summary="One announcement",
    response_model=AnnouncementPublic,
    description="Public; `createdBy` only for admins (null for everyone else).",
    responses=error_responses(401, 404, 422),
)
async def get_announcement(announcement_id: PathId, session: SessionDep, caller: CurrentCaller) -> AnnouncementPublic:
    row = await get_or_404(session, Announcement, announcement_id, "announcement")
    return announcement_public(row, caller.is_admin)


@router.put(
    "/{announcement_id}",
    summary="Edit an announcement",
    response_model=AnnouncementPublic,
    description="Needs an admin. Fields left out keep their value; `activeUntil: null` removes the end. "
    "Read-only fields (`id`, `createdBy`, …) may be sent back and are ignored.",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def update_announcement(
    announcement_id: PathId, body: AnnouncementUpdate, session: SessionDep, _: RequireAdmin
) -> AnnouncementPublic:
    row = await get_or_404(session, Announcement, announcement_id, "announcement")
    await apply_update(row, body)
    await session.commit()
    await session.refresh(row)
    return announcement_public(row)


@router.delete(
    "/{announcement_id}",
    status_code=204,
    summary="Delete an announcement",
    description="Needs an admin. To take one off the pages but keep it, set `active` to false instead.",
    responses=error_responses(401, 403, 404, 422),
)
async def delete_announcement(announcement_id: PathId, session: SessionDep, _: RequireAdmin) -> Response:
    await session.delete(await get_or_404(session, Announcement, announcement_id, "announcement"))
    await session.commit()
    return Response(status_code=204)
