"""The console's maintenance windows: list (with "end now"), new, edit, delete.

The form is validated with the API's schema and the service's rules, so a page and an API client meet the same
errors. Its start and end are ``datetime-local`` values read in the window's own time zone (the form says so), so
what an operator types is what the window does, whatever the browser's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.api.schemas.maintenance import WEEKDAYS, MaintenanceWindowCreate
from kairos.db.models import MaintenanceWindow
from kairos.errors import Conflict, Invalid, NotFound
from kairos.services import maintenance
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect, UserPage
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)
_FLASH = {"saved": "The window was saved.", "deleted": "The window was deleted.", "ended": "The window was ended."}


@router.get("/admin/maintenance")
async def list_page(request: Request, caller: UserPage, session: SessionDep) -> Response:
    now = datetime.now(UTC)
    rows = await maintenance.shown(session, caller, await maintenance.list_all(session), now, manager=caller.is_admin)
    message = next((text for key, text in _FLASH.items() if key in request.query_params), None)
    return render(request, "admin/maintenance.html", items=rows, message=message, confirm=None)


def _local(at: datetime | None, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if at else ""


def _values_of(row: MaintenanceWindow | None) -> dict[str, Any]:
    if row is None:
        return {"title": "", "description": "", "schedule": "ONCE", "starts_at": "", "ends_at": "", "weekdays": [],
                "start_time": "", "duration_minutes": "", "cron": "", "timezone": "UTC", "scope": "all",
                "scope_ids": []}  # fmt: skip
    return {
        "title": row.title,
        "description": row.description,
        "schedule": row.schedule,
        "starts_at": _local(row.starts_at, row.timezone),
        "ends_at": _local(row.ends_at, row.timezone),
        "weekdays": [WEEKDAYS[d] for d in row.weekdays or ()],
        "start_time": row.start_time or "",
        "duration_minutes": row.duration_minutes or "",
        "cron": row.cron or "",
        "timezone": row.timezone,
        "scope": row.scope,
        "scope_ids": list(row.scope_ids or ()),
    }


async def _form(
    request: Request,
    session: AsyncSession,
    row: MaintenanceWindow | None,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    return render(
        request,
        "admin/maintenance_form.html",
        422 if errors else 200,
        row=row,
        values=values,
        errors=errors,
        weekdays=WEEKDAYS,
        **await maintenance.scope_choices(session),
    )


def _moment(local: str, zone: str) -> str | None:
    """A ``datetime-local`` value read in ``zone`` as an ISO time with its offset (left as typed if unreadable)."""
    if not local:
        return None
    try:
        return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).isoformat()
    except (ValueError, KeyError):
        return local  # the schema names what is wrong with it (or with the zone)


def _parse(form: FormData) -> tuple[MaintenanceWindowCreate | None, dict[str, Any], dict[str, str]]:
    scope = str(form.get("scope", "all"))
    ids_field = "group_ids" if scope == "groups" else "resource_ids"
    values: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in _values_of(None) if k not in ("weekdays",)}
    values["description"] = str(form.get("description", "")).replace("\r\n", "\n")
    values["weekdays"] = [str(d) for d in form.getlist("weekdays")]
    chosen = [str(i) for i in form.getlist(ids_field)]
    values["scope_ids"] = [int(i) for i in chosen if i.isascii() and i.isdigit() and len(i) < 11]
    zone = values["timezone"] or "UTC"
    data: dict[str, Any] = {
        "title": values["title"],
        "description": values["description"],
        "schedule": values["schedule"],
        "startsAt": _moment(values["starts_at"], zone),
        "endsAt": _moment(values["ends_at"], zone),
        "weekdays": values["weekdays"],
        "startTime": values["start_time"] or None,
        "durationMinutes": values["duration_minutes"] or None,
        "cron": values["cron"] or None,
        "timezone": zone,
        "scope": scope,
        "scopeIds": values["scope_ids"] if scope != "all" else [],
    }
    try:
        return MaintenanceWindowCreate.model_validate(data), values, {}
    except ValidationError as exc:
        return None, values, form_problems(exc)


async def _get(session: AsyncSession, window_id: str) -> MaintenanceWindow:
    number = int(window_id) if window_id.isascii() and window_id.isdigit() and len(window_id) < 11 else 0
    try:
        return await maintenance.get(session, number)
    except NotFound:
        raise PageError(404, "There is no such maintenance window.") from None


@router.get("/admin/maintenance/new")
async def new_form(request: Request, _: AdminPage, session: SessionDep) -> Response:
    return await _form(request, session, None, _values_of(None), {})


@router.post("/admin/maintenance/new")
async def create(
    request: Request, caller: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    body, values, errors = _parse(form)
    if body is not None:
        try:
            await maintenance.create(session, body, caller)
        except Invalid as exc:
            errors = {exc.field or "form": exc.message}
    if errors:
        return await _form(request, session, None, values, errors)
    await maintenance.changed(runtime)
    raise Redirect("/admin/maintenance?saved=1")


@router.get("/admin/maintenance/{window_id}/edit")
async def edit_form(request: Request, window_id: str, _: AdminPage, session: SessionDep) -> Response:
    row = await _get(session, window_id)
    return await _form(request, session, row, _values_of(row), {})


@router.post("/admin/maintenance/{window_id}/edit")
async def update(
    request: Request, window_id: str, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    row = await _get(session, window_id)
    body, values, errors = _parse(form)
    if body is not None:
        try:
            await maintenance.replace(session, row.id, body)
        except Invalid as exc:
            errors = {exc.field or "form": exc.message}
    if errors:
        return await _form(request, session, row, values, errors)
    await maintenance.changed(runtime)
    raise Redirect("/admin/maintenance?saved=1")


@router.post("/admin/maintenance/{window_id}/end")
async def end_now(window_id: str, _: AdminPage, __: CheckedForm, session: SessionDep, runtime: RuntimeDep) -> Response:
    row = await _get(session, window_id)
    try:
        await maintenance.end_now(session, row.id)
    except Conflict:
        raise PageError(409, "This window is not on right now: there is nothing to end.") from None
    await maintenance.changed(runtime)
    raise Redirect("/admin/maintenance?ended=1")


@router.get("/admin/maintenance/{window_id}/delete")
async def confirm_delete(request: Request, window_id: str, _: AdminPage, session: SessionDep) -> Response:
    row = await _get(session, window_id)
    return render(request, "admin/maintenance.html", items=[], message=None, confirm=row)


@router.post("/admin/maintenance/{window_id}/delete")
async def delete(window_id: str, _: AdminPage, __: CheckedForm, session: SessionDep, runtime: RuntimeDep) -> Response:
    await maintenance.delete(session, (await _get(session, window_id)).id)
    await maintenance.changed(runtime)
    raise Redirect("/admin/maintenance?deleted=1")
