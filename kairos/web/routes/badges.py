"""Embeddable status: shields-style SVG badges and tiny iframe pages, with the dashboard's visibility rules
(kairos.access.visibility: anything the caller may not see answers 404, so a badge never confirms a hidden
resource; an embed in someone else's page is usually anonymous, so it shows public things only).

A badge that cannot be shown still answers an image: a grey "unknown" SVG with status 404, so a README shows a
badge rather than a broken image. The body depends only on the URL (the badge's kind and ``label``), never on the
row, so an unknown and a hidden resource or group answer byte for byte the same (docs/security.md)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Literal
from xml.sax.saxutils import escape

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from kairos.access.visibility import can_see_resource
from kairos.api.deps import RuntimeDep, SessionDep
from kairos.api.ids import PageId
from kairos.api.schemas.common import MAX_ID
from kairos.db.models import Resource
from kairos.errors import NotFound
from kairos.probes.certs import DAY_S, certificate_of, seconds_left
from kairos.runtime import Runtime
from kairos.services.groups import member_ids
from kairos.services.resources import load_resource
from kairos.web.dashboard_data import group_visible, load_board, status_of
from kairos.web.deps import PageCaller, PageError
from kairos.web.display import percent
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

GREEN, RED, GREY = "#2ea44f", "#d73a49", "#6a737d"
YELLOW = "#dbab09"
_COLOURS = {"available": GREEN, "not-available": RED, "maintenance": "#8250df"}
_WORDS = {"available": "up", "not-available": "down", "maintenance": "maintenance"}


def _width(text: str) -> int:
    """Rough Verdana 11px text width: enough for the badge to fit its words without font metrics."""
    narrow = sum(ch in "iIl.,:;|!' " for ch in text)
    wide = sum(ch in "mwMW%@" for ch in text)
    return int(7 * (len(text) - narrow - wide) + 4 * narrow + 10 * wide) + 10


def _xml(text: str) -> str:
    """Text for an element or a quoted attribute; characters XML cannot carry at all are dropped."""
    clean = "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 0x20)
    return escape(clean, {'"': "&quot;", "'": "&apos;"})


def badge_svg(label: str, value: str, colour: str) -> str:
    lw, vw = _width(label), _width(value)
    label_x, value_x = lw * 5, (lw + vw / 2) * 10
    title = _xml(f"{label}: {value}")
    label_e, value_e = _xml(label), _xml(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lw + vw}" height="20" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        f'<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{lw + vw}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{vw}" height="20" fill="{colour}"/>'
        f'<rect width="{lw + vw}" height="20" fill="url(#s)"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="110">'
        f'<text x="{label_x}" y="140" transform="scale(.1)">{label_e}</text>'
        f'<text x="{value_x:.0f}" y="140" transform="scale(.1)">{value_e}</text></g></svg>'
    )


def _svg(body: str, status_code: int = 200) -> Response:
    return Response(body, status_code, media_type="image/svg+xml", headers={"Cache-Control": "max-age=60"})


def unknown_badge(label: str) -> Response:
    """What a badge of an unknown or hidden resource or group answers: made from the URL alone."""
    return _svg(badge_svg(label, "unknown", GREY), 404)


def badge_id(text: str) -> int | None:
    """The id in a badge's URL; None for one no row can have (an "unknown" badge, like a missing row)."""
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))) or not 1 <= int(text) <= MAX_ID:
        return None
    return int(text)


async def _visible(session: SessionDep, caller: PageCaller, resource_id: int | None) -> Resource | None:
    if resource_id is None:
        return None
    try:
        row = await load_resource(session, resource_id)
    except NotFound:
        return None
    return row if can_see_resource(caller, row) else None


async def _resource(session: SessionDep, caller: PageCaller, resource_id: int) -> Resource:
    row = await _visible(session, caller, resource_id)  # an embed page: its HTML 404
    if row is None:
        raise PageError(404, "There is no such resource.")
    return row


def _resource_value(runtime: Runtime, rid: int, show: str) -> tuple[str, str]:
    if show == "uptime":
        pct = runtime.board.uptime_window(rid, 24)
        if pct is None:
            return "no data", GREY
        return percent(pct, runtime.site.availability_decimals), GREEN if pct >= 99 else RED
    status = status_of(runtime.board.state(rid))
    return _WORDS.get(status, "unknown"), _COLOURS.get(status, GREY)


Show = Literal["status", "uptime"]


@router.get("/badges/resources/{resource_id}.svg")
async def resource_badge(
    resource_id: str,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: PageCaller,
    label: str | None = Query(None, max_length=60),
    show: Show = "status",
) -> Response:
    row = await _visible(session, caller, badge_id(resource_id))
    if row is None:
        return unknown_badge(label or show)
    value, colour = _resource_value(runtime, row.id, show)
    return _svg(badge_svg(label or row.name, value, colour))


@router.get("/badges/resources/{resource_id}/cert.svg")
async def resource_cert_badge(
    resource_id: str,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: PageCaller,
    label: str | None = Query(None, max_length=60),
) -> Response:
    """Days until the TLS certificate of the last check expires: green, yellow within the resource's
    certExpiryDays, red once expired; grey "unknown" without a certificate."""
    row = await _visible(session, caller, badge_id(resource_id))
    if row is None:
        return unknown_badge(label or "certificate")
    state = runtime.board.state(row.id)
    value, colour = cert_badge_value(certificate_of(state.last_details) if state else None, datetime.now(UTC))
    return _svg(badge_svg(label or "certificate", value, colour))


def cert_badge_value(cert: dict[str, Any] | None, now: datetime) -> tuple[str, str]:
    left = seconds_left(cert, now) if cert is not None else None
    if cert is None or left is None:
        return "unknown", GREY
    if left < 0:
        return "expired", RED
    days = int(left // DAY_S)
    threshold = int(cert.get("expiryDays") or 0)
    colour = YELLOW if threshold and left < threshold * DAY_S else GREEN
    return f"{days} days", colour


@router.get("/badges/groups/{group_id}.svg")
async def group_badge(
    group_id: str,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: PageCaller,
    label: str | None = Query(None, max_length=60),
) -> Response:
    gid = badge_id(group_id)
    group = None if gid is None else await group_visible(session, caller, gid)
    if group is None:
        return unknown_badge(label or "status")
    ids = await member_ids(session, group.id)
    statuses = [status_of(runtime.board.state(rid)) for rid in ids]
    up = statuses.count("available")
    down = statuses.count("not-available")
    colour = RED if down else GREEN if up else GREY
    return _svg(badge_svg(label or group.name, f"{up}/{len(statuses)} up", colour))


@router.get("/embed/resources/{resource_id}")
async def resource_embed(
    request: Request, resource_id: PageId, session: SessionDep, runtime: RuntimeDep, caller: PageCaller
) -> HTMLResponse:
    row = await _resource(session, caller, resource_id)
    state = runtime.board.state(row.id)
    return render(
        request,
        "embed_resource.html",
        resource=row,
        status=status_of(state),
        state=state,
        uptime=runtime.board.uptime_of(row.id),
        timeline=runtime.board.letters(row.id, time.time()),
    )


@router.get("/embed/groups/{group_id}")
async def group_embed(
    request: Request, group_id: PageId, session: SessionDep, runtime: RuntimeDep, caller: PageCaller
) -> HTMLResponse:
    group = await group_visible(session, caller, group_id)
    if group is None:
        raise PageError(404, "There is no such group.")
    board = await load_board(session, runtime, caller, group_id=group.id)
    return render(request, "embed_group.html", group=group, board=board)
