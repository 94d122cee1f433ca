"""The public status board ``/`` and the same view for one group, ``/groups/{id}``."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.api.ids import PageId
from kairos.auth.scopes import Scope
from kairos.errors import Invalid
from kairos.services import tags
from kairos.services.announcements import active_announcements
from kairos.services.fleet import paused_locations
from kairos.services.maintenance import Shown, active_and_upcoming
from kairos.web.dashboard_data import group_visible, load_board
from kairos.web.deps import PageCaller, PageError
from kairos.web.routes.status_pages import page_for_host, render_page
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
async def dashboard(
    request: Request, session: SessionDep, runtime: RuntimeDep, caller: PageCaller, tag: str | None = None
) -> HTMLResponse:
    page = await page_for_host(request, session)  # a status page's custom domain shows that page at /
    if page is not None:
        return await render_page(request, session, runtime, caller, page)
    board = await load_board(session, runtime, caller, tag=_tag_filter(tag))
    announcements = await active_announcements(session, datetime.now(UTC))
    paused = await paused_locations(session)  # the fleet: locations whose checks are paused
    windows = await _windows(session, caller)
    return render(
        request,
        "dashboard.html",
        board=board,
        announcements=announcements,
        group=None,
        paused=paused,
        windows=windows,
        tag=tag if tag else None,
    )


def _tag_filter(text: str | None) -> tuple[str, str] | None:
    """``?tag=key:value`` (docs/tags.md); a malformed one is a 400 page saying why."""
    if not text:
        return None
    try:
        return tags.parse_filter(text[:200])
    except Invalid as exc:
        raise PageError(400, exc.message) from None


@router.get("/groups/{group_id}")
async def group_page(
    request: Request, group_id: PageId, session: SessionDep, runtime: RuntimeDep, caller: PageCaller
) -> HTMLResponse:
    group = await group_visible(session, caller, group_id)
    if group is None:
        raise PageError(404, "There is no such group.")
    board = await load_board(session, runtime, caller, group_id=group.id)
    announcements = await active_announcements(session, datetime.now(UTC))
    windows = await _windows(session, caller)
    return render(request, "group.html", board=board, announcements=announcements, group=group, windows=windows)


async def _windows(session: SessionDep, caller: PageCaller) -> list[Shown]:
    """Maintenance on now or within 7 days that the caller may see (kairos/services/maintenance.py)."""
    manager = caller.has(Scope.RESOURCE_MANAGE)
    return await active_and_upcoming(session, caller, datetime.now(UTC), manager=manager)
