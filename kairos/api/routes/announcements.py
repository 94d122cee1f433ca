"""``/api/announcements``: notices on the status pages, with the sanitised HTML the pages show.

The rules live in kairos/services/announcements.py, shared with the console."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RequireAnnouncementManage, RequireStatusRead, SessionDep
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
from kairos.api.schemas.announcements import (
    AnnouncementCreate,
    AnnouncementPreview,
    AnnouncementPreviewed,
    AnnouncementPublic,
    AnnouncementUpdate,
)
from kairos.db.models import Announcement
from kairos.services import announcements
from kairos.services.announcement_html import render_off_loop

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
    return [announcement_public(r, caller.is_admin) for r in await announcements.list_announcements(session, active)]


@router.post(
    "/preview",
    summary="Render Markdown as an announcement would show",
    response_model=AnnouncementPreviewed,
    description="Any signed-in caller. Stores nothing: the editor's live preview. The answer is sanitised "
    "exactly like a stored announcement's `contentHtml`.",
    responses=error_responses(400, 401, 422),
)
async def preview(body: AnnouncementPreview, _: RequireStatusRead) -> AnnouncementPreviewed:
    return AnnouncementPreviewed(content_html=await render_off_loop(body.content))


@router.post(
    "",
    status_code=201,
    summary="Create an announcement",
    response_model=AnnouncementPublic,
    description="Needs an admin or an API key with ANNOUNCEMENT_MANAGE. "
    "`createdBy` is the caller's email (for an API key: its creator's email, or "
    "`api-key:<name>`). `activeUntil` must carry a time zone.",
    responses=error_responses(400, 401, 403, 422),
)
async def create_announcement(
    body: AnnouncementCreate, session: SessionDep, caller: RequireAnnouncementManage
) -> AnnouncementPublic:
    return announcement_public(await announcements.create(session, body, caller))


@router.get(
    "/{announcement_id}",
    openapi_extra=OPTIONAL_AUTH,
    summary="One announcement",
    response_model=AnnouncementPublic,
    description="Public; `createdBy` only for admins (null for everyone else).",
    responses=error_responses(401, 404, 422),
)
async def get_announcement(announcement_id: PathId, session: SessionDep, caller: CurrentCaller) -> AnnouncementPublic:
    return announcement_public(await announcements.get(session, announcement_id), caller.is_admin)


@router.put(
    "/{announcement_id}",
    summary="Edit an announcement",
    response_model=AnnouncementPublic,
    description="Needs an admin or an API key with ANNOUNCEMENT_MANAGE. "
    "Fields left out keep their value; `activeUntil: null` removes the end. "
    "Read-only fields (`id`, `createdBy`, …) may be sent back and are ignored.",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def update_announcement(
    announcement_id: PathId, body: AnnouncementUpdate, session: SessionDep, _: RequireAnnouncementManage
) -> AnnouncementPublic:
    return announcement_public(await announcements.update(session, announcement_id, body))


@router.delete(
    "/{announcement_id}",
    status_code=204,
    summary="Delete an announcement",
    description="Needs an admin or an API key with ANNOUNCEMENT_MANAGE. "
    "To take one off the pages but keep it, set `active` to false instead.",
    responses=error_responses(401, 403, 404, 422),
)
async def delete_announcement(announcement_id: PathId, session: SessionDep, _: RequireAnnouncementManage) -> Response:
    await announcements.delete(session, announcement_id)
    return Response(status_code=204)
