"""``/api/maintenance-windows``: planned times when checks count for nothing (docs/maintenance.md).

Writing needs RESOURCE_MANAGE (a window silences resources as surely as editing them does); reading is public for
what the caller may see. The rules live in kairos/services/maintenance.py, shared with the console, config-as-code
and MCP."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request, Response

from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RequireResourceManage, SessionDep
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
from kairos.api.schemas.maintenance import MaintenanceWindowCreate, MaintenanceWindowPublic, window_public
from kairos.auth.scopes import Scope
from kairos.db.models import MaintenanceWindow
from kairos.errors import NotFound
from kairos.services import maintenance

router = APIRouter(prefix="/api/maintenance-windows", tags=["maintenance"])


async def _one(session: SessionDep, caller: CurrentCaller, row: MaintenanceWindow) -> MaintenanceWindowPublic:
    manager = caller.has(Scope.RESOURCE_MANAGE)
    seen = await maintenance.shown(session, caller, [row], datetime.now(UTC), manager=manager)
    if not seen:
        raise NotFound.of("maintenance window")
    return window_public(seen[0], caller.is_admin)


@router.get(
    "",
    openapi_extra=OPTIONAL_AUTH,
    summary="List maintenance windows",
    response_model=list[MaintenanceWindowPublic],
    description="Public for what the caller may see: windows for everything, or for a group or resource the caller "
    "may see (ids of the others left out). Callers with RESOURCE_MANAGE see every window. `upcoming=true`: only "
    "those on now or starting within 7 days, those on first.",
    responses=error_responses(400, 401),
)
async def list_windows(
    session: SessionDep,
    caller: CurrentCaller,
    upcoming: bool = Query(False, description="Only windows on now or starting within 7 days."),
) -> list[MaintenanceWindowPublic]:
    now, manager = datetime.now(UTC), caller.has(Scope.RESOURCE_MANAGE)
    if upcoming:
        rows = await maintenance.active_and_upcoming(session, caller, now, manager=manager)
    else:
        rows = await maintenance.shown(session, caller, await maintenance.list_all(session), now, manager=manager)
    return [window_public(s, caller.is_admin) for s in rows]


@router.post(
    "",
    status_code=201,
    summary="Create a maintenance window",
    response_model=MaintenanceWindowPublic,
    description="Needs an admin or an API key with RESOURCE_MANAGE. ONCE needs `endsAt`; WEEKLY needs `weekdays`, "
    "`startTime` and `durationMinutes`; CRON needs `cron` and `durationMinutes`. Takes effect at once.",
    responses=error_responses(400, 401, 403, 422),
)
async def create_window(
    body: MaintenanceWindowCreate, request: Request, session: SessionDep, caller: RequireResourceManage
) -> MaintenanceWindowPublic:
    row = await maintenance.create(session, body, caller)
    await maintenance.changed(request.app.state.runtime)
    return await _one(session, caller, row)


@router.get(
    "/{window_id}",
    openapi_extra=OPTIONAL_AUTH,
    summary="One maintenance window",
    response_model=MaintenanceWindowPublic,
    description="Public for what the caller may see (404 otherwise); `createdBy` only for admins.",
    responses=error_responses(401, 404, 422),
)
async def get_window(window_id: PathId, session: SessionDep, caller: CurrentCaller) -> MaintenanceWindowPublic:
    return await _one(session, caller, await maintenance.get(session, window_id))


@router.put(
    "/{window_id}",
    summary="Replace a maintenance window",
    response_model=MaintenanceWindowPublic,
    description="Needs an admin or an API key with RESOURCE_MANAGE. A complete body, as for POST; an early end "
    "(`endedAt`) is cleared.",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def replace_window(
    window_id: PathId,
    body: MaintenanceWindowCreate,
    request: Request,
    session: SessionDep,
    caller: RequireResourceManage,
) -> MaintenanceWindowPublic:
    row = await maintenance.replace(session, window_id, body)
    await maintenance.changed(request.app.state.runtime)
    return await _one(session, caller, row)


@router.post(
    "/{window_id}/end",
    summary="End a maintenance window now",
    response_model=MaintenanceWindowPublic,
    description="Needs an admin or an API key with RESOURCE_MANAGE. Ends the occurrence on now; a recurring "
    "window's later occurrences still come. 409 `not_active` when none is on.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def end_window(
    window_id: PathId, request: Request, session: SessionDep, caller: RequireResourceManage
) -> MaintenanceWindowPublic:
    row = await maintenance.end_now(session, window_id)
    await maintenance.changed(request.app.state.runtime)
    return await _one(session, caller, row)


@router.delete(
    "/{window_id}",
    status_code=204,
    summary="Delete a maintenance window",
    description="Needs an admin or an API key with RESOURCE_MANAGE. The timeline then no longer marks its past "
    "occurrences; to stop one but keep the record, end it instead.",
    responses=error_responses(401, 403, 404, 422),
)
async def delete_window(window_id: PathId, request: Request, session: SessionDep, _: RequireResourceManage) -> Response:
    await maintenance.delete(session, window_id)
    await maintenance.changed(request.app.state.runtime)
    return Response(status_code=204)
