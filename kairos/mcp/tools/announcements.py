"""Announcements: ``listAnnouncements`` (STATUS_READ) and ``createAnnouncement`` (ANNOUNCEMENT_MANAGE), through
the announcements service, so Markdown is rendered and sanitised exactly as the console and the API do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from kairos.api.schemas.announcements import ActiveUntil, AnnouncementCreate, AnnouncementPublic, Content, Kind
from kairos.auth.scopes import Scope
from kairos.db.models import Announcement
from kairos.mcp.context import current_caller
from kairos.runtime import Runtime
from kairos.services import announcements

if TYPE_CHECKING:
    from kairos.mcp.server import KairosMCP

ActiveFilter = Annotated[
    bool | None,
    Field(description="true: only those showing now; false: only those not showing; leave out for all."),
]


def _public(row: Announcement, show_author: bool) -> AnnouncementPublic:
    """As ``GET /api/announcements``: the author's email is for admins only."""
    public = AnnouncementPublic.model_validate(row, from_attributes=True)
    return public if show_author else public.model_copy(update={"created_by": None})


def register(server: KairosMCP, runtime: Runtime) -> None:
    @server.kairos_tool(Scope.STATUS_READ, read_only=True)
    async def listAnnouncements(active: ActiveFilter = None) -> list[AnnouncementPublic]:
        """List the announcements shown on the status pages (notices about incidents and maintenance)."""
        caller = current_caller()
        async with runtime.sessionmaker() as session:
            rows = await announcements.list_announcements(session, active)
        return [_public(r, caller.is_admin) for r in rows]

    @server.kairos_tool(Scope.ANNOUNCEMENT_MANAGE, read_only=False)
    async def createAnnouncement(
        content: Content,
        kind: Kind = "INFORMATION",
        active: Annotated[bool, Field(description="false: stored but not shown.")] = True,
        activeUntil: ActiveUntil = None,
    ) -> AnnouncementPublic:
        """Post an announcement (Markdown) on the status pages; kind INFORMATION, WARNING or PROBLEM."""
        caller = current_caller()
        body = AnnouncementCreate(kind=kind, content=content, active=active, active_until=activeUntil)
        async with runtime.sessionmaker() as session:
            row = await announcements.create(session, body, caller)
            return _public(row, caller.is_admin)
