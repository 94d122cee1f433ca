"""The public announcements page and the console's announcement editor (list, new, edit, delete).

The form is validated with the API's own schema, so a page and an API client meet the same rules. The
"active until" field is a ``datetime-local`` input, which has no zone: the page script sends the moment it
means in the browser's time zone as a UTC ISO value in the hidden ``active_until``; without the script the
bare value is read as UTC (the form says so)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from kairos.api.deps import SessionDep
from kairos.api.schemas.announcements import MAX_CONTENT, AnnouncementCreate
from kairos.db.models import Announcement
from kairos.errors import NotFound
from kairos.services import announcements
from kairos.services.announcement_html import render_off_loop
from kairos.web.deps import AdminPage, CheckedForm, PageCaller, PageError, Redirect, UserPage
from kairos.web.excerpt import excerpt
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

_BARE_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def _page_number(request: Request) -> int:
    # Lenient on purpose: a hand-edited ?page=abc shows the first page rather than a JSON error.
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 and int(raw) >= 1 else 1


@router.get("/announcements")
async def announcements_page(request: Request, session: SessionDep, _: PageCaller) -> Response:
    rows, page, pages = await announcements.public_page(session, _page_number(request))
    items = [{"row": row, "current": current} for row, current in rows]
    return render(request, "announcements.html", items=items, page=page, pages=pages)


@router.get("/admin/announcements")
async def admin_list(request: Request, session: SessionDep, _: UserPage) -> Response:
    rows, page, pages = await announcements.admin_page(session, _page_number(request))
    now = datetime.now(UTC)
    items = [
        {"row": row, "showing": announcements.is_showing(row, now), "excerpt": excerpt(row.content_html)}
        for row in rows
    ]
    flash = {"saved": "The announcement was saved.", "deleted": "The announcement was deleted."}
    message = next((text for key, text in flash.items() if key in request.query_params), None)
    return render(request, "admin/announcements.html", items=items, page=page, pages=pages, message=message)


# -- the form ----------------------------------------------------------------------------------------------


def _values_of(row: Announcement | None) -> dict[str, Any]:
    """What the form shows for a stored announcement (or a new one)."""
    until = row.active_until if row else None
    return {
        "kind": row.kind if row else "INFORMATION",
        "content": row.content if row else "",
        "active": row.active if row else True,
        # Without the page script the visible field shows (and sends back) UTC; the script rewrites it to
        # the browser's time from data-utc.
        "until_local": until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if until else "",
        "until_utc": until.astimezone(UTC).isoformat().replace("+00:00", "Z") if until else "",
        "until_hidden": "",
    }


async def _form(request: Request, row: Announcement | None, values: dict[str, Any], errors: dict[str, str]) -> Response:
    content = values["content"]
    preview = await render_off_loop(content) if len(content) <= MAX_CONTENT else ""
    return render(
        request,
        "admin/announcement_form.html",
        422 if errors else 200,
        row=row,
        values=values,
        errors=errors,
        kinds=announcements.KINDS,
        preview=preview,
        max_content=MAX_CONTENT,
    )


def _until(form: FormData) -> str | None:
    """The hidden UTC value the script computed; else the visible one, a bare value being read as UTC."""
    sent = str(form.get("active_until", "")).strip()
    if sent:
        return sent
    local = str(form.get("active_until_local", "")).strip()
    if not local:
        return None
    return local + "Z" if _BARE_LOCAL.fullmatch(local) else local


def _parse(form: FormData) -> tuple[AnnouncementCreate | None, dict[str, Any], dict[str, str]]:
    """The validated body, the values to show again, and a message per field (keyed by the API's names)."""
    values = {
        "kind": str(form.get("kind", "")),
        "content": str(form.get("content", "")).replace("\r\n", "\n"),
        "active": form.get("active") is not None,
        "until_local": str(form.get("active_until_local", "")),
        "until_utc": "",
        "until_hidden": str(form.get("active_until", "")),
    }
    data = {"kind": values["kind"], "content": values["content"], "active": values["active"]}
    data["activeUntil"] = _until(form)
    try:
        return AnnouncementCreate.model_validate(data), values, {}
    except ValidationError as exc:
        return None, values, form_problems(exc)


async def _get(session: AsyncSession, announcement_id: str) -> Announcement:
    # The id is taken as text so that /admin/announcements/abc/edit is a 404 page, not a JSON error.
    number = (
        int(announcement_id)
        if announcement_id.isascii() and announcement_id.isdigit() and len(announcement_id) < 11
        else 0
    )
    try:
        return await announcements.get(session, number)
    except NotFound:
        raise PageError(404, "There is no such announcement.") from None


@router.get("/admin/announcements/new")
async def new_form(request: Request, _: AdminPage) -> Response:
    return await _form(request, None, _values_of(None), {})


@router.post("/admin/announcements/new")
async def create(request: Request, caller: AdminPage, form: CheckedForm, session: SessionDep) -> Response:
    body, values, errors = _parse(form)
    if body is None:
        return await _form(request, None, values, errors)
    row = await announcements.create(session, body, caller)
    raise Redirect(f"/admin/announcements?saved={row.id}")


@router.get("/admin/announcements/{announcement_id}/edit")
async def edit_form(request: Request, announcement_id: str, _: AdminPage, session: SessionDep) -> Response:
    row = await _get(session, announcement_id)
    return await _form(request, row, _values_of(row), {})


@router.post("/admin/announcements/{announcement_id}/edit")
async def update(
    request: Request, announcement_id: str, _: AdminPage, form: CheckedForm, session: SessionDep
) -> Response:
    row = await _get(session, announcement_id)
    body, values, errors = _parse(form)
    if body is None:
        return await _form(request, row, values, errors)
    await announcements.replace(session, row, body)
    raise Redirect(f"/admin/announcements?saved={row.id}")


@router.get("/admin/announcements/{announcement_id}/delete")
async def confirm_delete(request: Request, announcement_id: str, _: AdminPage, session: SessionDep) -> Response:
    row = await _get(session, announcement_id)
    return render(request, "admin/announcements.html", confirm=row, items=[], page=1, pages=1, message=None)


@router.post("/admin/announcements/{announcement_id}/delete")
async def delete(announcement_id: str, _: AdminPage, __: CheckedForm, session: SessionDep) -> Response:
    await announcements.delete(session, (await _get(session, announcement_id)).id)
    raise Redirect("/admin/announcements?deleted=1")
