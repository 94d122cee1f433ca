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
from kairos.web.dashboard_data import group_visible, load_board, placement
from kairos.web.dashboard_scale import (
    PAGE,
    Filter,
    classify,
    load_scaled,
    load_section,
    matching,
    parse_filter,
    parse_section,
)
from kairos.web.deps import PageCaller, PageError
from kairos.web.routes.status_pages import page_for_host, render_page
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
async def dashboard(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: PageCaller,
    tag: str | None = None,
    q: str | None = None,
    status: str | None = None,
) -> HTMLResponse:
    page = await page_for_host(request, session)  # a status page's custom domain shows that page at /
    if page is not None:
        return await render_page(request, session, runtime, caller, page)
    flt = _filter(q, status)
    place = await placement(session, caller, tag=_tag_filter(tag))
    targets = _shows_targets(runtime, caller)
    if len(place.ids()) > runtime.settings.dashboard_collapse_above:
        board = await load_scaled(session, runtime, caller, place, flt, targets, _offset(request, "goffset"))
    else:
        if flt.active:  # below the threshold the script filters in the page; this serves a page without it
            place.keep_only(matching(place, classify(runtime, place.ids()), flt, targets))
        board = await load_board(session, runtime, caller, place=place)
        board.query, board.status_filter = flt.q, flt.status
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


@router.get("/dashboard/rows")
async def dashboard_rows(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: PageCaller,
    group: str = "",
    q: str | None = None,
    status: str | None = None,
) -> HTMLResponse:
    """One group's rows (``group``: its id, or ``none``), a page of them from ``offset``: what an opened group
    of the board loads. The caller sees exactly what the board would show it; a group it may not see is 404."""
    try:
        section_id = parse_section(group)
    except Invalid as exc:
        raise PageError(400, exc.message) from None
    flt = _filter(q, status)
    targets = _shows_targets(runtime, caller)
    board = await load_section(session, runtime, caller, section_id, _offset(request), flt, targets)
    if board is None:
        raise PageError(404, "There is no such group.")
    return render(request, "dashboard_rows.html", board=board, section=board.sections[0])


def _offset(request: Request, name: str = "offset") -> int:
    # Lenient, as the other pages' numbers: a hand-edited ?offset=abc shows the first rows, not an error.
    raw = request.query_params.get(name, "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 9 else 0


def _filter(q: str | None, status: str | None) -> Filter:
    try:
        return parse_filter(q, status)
    except Invalid as exc:
        raise PageError(400, exc.message) from None


def _shows_targets(runtime: RuntimeDep, caller: PageCaller) -> bool:
    return runtime.site.show_targets or caller.authenticated  # as the templates decide (kairos.web.templating)


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
    request: Request,
    group_id: PageId,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: PageCaller,
) -> HTMLResponse:
    """The group's rows, all of them up to the collapse threshold, else a page of them with a link onwards."""
    limit = max(runtime.settings.dashboard_collapse_above, PAGE)
    board = await load_section(session, runtime, caller, group_id, _offset(request), limit=limit)
    if board is None:
        raise PageError(404, "There is no such group.")
    group = await group_visible(session, caller, group_id)
    announcements = await active_announcements(session, datetime.now(UTC))
    windows = await _windows(session, caller)
    return render(request, "group.html", board=board, announcements=announcements, group=group, windows=windows)


async def _windows(session: SessionDep, caller: PageCaller) -> list[Shown]:
    """Maintenance on now or within 7 days that the caller may see (kairos/services/maintenance.py)."""
    manager = caller.has(Scope.RESOURCE_MANAGE)
    return await active_and_upcoming(session, caller, datetime.now(UTC), manager=manager)
