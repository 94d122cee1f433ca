"""``/api/resources``: list, create, read, edit, delete and check now."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from kairos.access.visibility import can_see_resource
from kairos.api.deps import (
    OPTIONAL_AUTH,
    CurrentCaller,
    RequireCheckExecute,
    RequireResourceManage,
    RuntimeDep,
    SessionDep,
)
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
from kairos.api.routes import push as push_routes
from kairos.api.schemas.resources import (
    CheckNowResult,
    ResourceCreate,
    ResourceDetail,
    ResourcePublic,
    ResourceUpdate,
)
from kairos.api.views import audience_of, check_now_result, resource_detail, resource_public
from kairos.errors import NotFound
from kairos.services import push, tags
from kairos.services import resources as svc

router = APIRouter(prefix="/api/resources", tags=["resources"])

_PUBLIC = (
    "Public, by group visibility (docs/access.md): anonymous callers see resources in no group or in a PUBLIC "
    "group, signed-in users and keys with STATUS_READ also "
    "AUTHENTICATED ones, admins and keys with RESOURCE_MANAGE also HIDDEN ones; the rest answer 404. "
    "Header values in `options.headers` are write-only: every caller gets `********`. When the site hides "
    "targets (`showTargets` off) anonymous callers get `target: null`, no `options`, and `latestMessage` "
    "rebuilt from the status, error code and HTTP status."
)
_ADMIN = "Needs an admin or an API key with RESOURCE_MANAGE."


@router.get(
    "",
    openapi_extra=OPTIONAL_AUTH,
    summary="List resources",
    response_model=list[ResourcePublic],
    description=_PUBLIC + " Ordered by display order, then id. `tag=key:value` keeps those carrying that tag.",
    responses=error_responses(401, 422, 503),
)
async def list_resources(
    session: SessionDep,
    runtime: RuntimeDep,
    caller: CurrentCaller,
    tag: str | None = Query(None, max_length=200, description="`key:value`: only resources with this tag."),
) -> list[ResourcePublic]:
    rows = await svc.list_resources(session)
    if tag is not None:
        wanted = await tags.tagged_ids(session, *tags.parse_filter(tag))
        rows = [r for r in rows if r.id in wanted]
    audience = audience_of(caller, runtime.site.show_targets)
    return [resource_public(r, audience) for r in rows if can_see_resource(caller, r)]


@router.post(
    "",
    status_code=201,
    summary="Create a resource",
    response_model=ResourceDetail,
    description=_ADMIN + " The target is validated by its kind (HTTP: http/https URL with a host; "
    "TCP: host:port with a port 1-65535), `options` by the kind's model. The new resource is checked "
    "at once.",
    responses=error_responses(400, 401, 403, 422),
)
async def create_resource(
    body: ResourceCreate, request: Request, session: SessionDep, runtime: RuntimeDep, _: RequireResourceManage
) -> ResourceDetail:
    row = await svc.create_resource(session, body)
    token = await push.ensure_token(session, row)
    await runtime.scheduler.resource_changed(row.id)
    detail = resource_detail(row, runtime.board.state(row.id), locations=runtime.board.locations_of(row.id))
    return push_routes.with_token(detail, token, request, runtime)


@router.get(
    "/{resource_id}",
    openapi_extra=OPTIONAL_AUTH,
    summary="Read a resource and its current status",
    response_model=ResourceDetail,
    description=_PUBLIC + " The current status comes from the scheduler's memory (no history scan).",
    responses=error_responses(401, 404, 422),
)
async def get_resource(
    resource_id: PathId, session: SessionDep, runtime: RuntimeDep, caller: CurrentCaller
) -> ResourceDetail:
    row = await svc.load_resource(session, resource_id)
    if not can_see_resource(caller, row):
        raise NotFound.of("resource")
    return resource_detail(
        row,
        runtime.board.state(row.id),
        audience_of(caller, runtime.site.show_targets),
        runtime.board.locations_of(row.id),
    )


@router.put(
    "/{resource_id}",
    summary="Edit a resource",
    response_model=ResourceDetail,
    description=_ADMIN + " Takes the create body; fields left out keep their value. In `options.headers` a "
    "value of `********` keeps the stored one and a header left out is removed. Takes effect at "
    "once: the resource is re-checked.",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def update_resource(
    resource_id: PathId,
    body: ResourceUpdate,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _: RequireResourceManage,
) -> ResourceDetail:
    row = await svc.load_resource(session, resource_id)
    row = await svc.update_resource(session, row, body)
    token = await push.ensure_token(session, row)
    await runtime.scheduler.resource_changed(row.id)
    detail = resource_detail(row, runtime.board.state(row.id), locations=runtime.board.locations_of(row.id))
    return push_routes.with_token(detail, token, request, runtime)


@router.delete(
    "/{resource_id}",
    status_code=204,
    summary="Delete a resource and its history",
    description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)
async def delete_resource(
    resource_id: PathId, session: SessionDep, runtime: RuntimeDep, _: RequireResourceManage
) -> Response:
    await svc.delete_resource(session, resource_id)
    # A result of a check still running may reach the recorder meanwhile; it drops rows of deleted resources.
    runtime.scheduler.resource_deleted(resource_id)
    return Response(status_code=204)


@router.post(
    "/{resource_id}/check",
    summary="Check a resource now",
    response_model=CheckNowResult,
    description="Needs an admin or an API key with CHECK_EXECUTE. "
    "Runs the check at once (joining one already running), records it in the "
    "history and returns the verdict with its latency phases.",
    responses=error_responses(401, 403, 404, 422),
)
async def check_now(
    resource_id: PathId, session: SessionDep, runtime: RuntimeDep, _: RequireCheckExecute
) -> CheckNowResult:
    row = await svc.load_resource(session, resource_id)
    await session.close()  # a check can take up to its timeout: do not hold a connection meanwhile
    result = await runtime.scheduler.check_now(row.id)
    if result is None:
        raise NotFound.of("resource (not scheduled: its stored configuration is invalid)")
    return check_now_result(row.id, result)
