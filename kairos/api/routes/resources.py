"""``/api/resources``: list, create, read, edit, delete and check now."""

from __future__ import annotations

from typing import Annotated, Literal

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
from kairos.api.paging import page_links
from kairos.api.routes import push as push_routes
from kairos.api.schemas.common import MAX_ID
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
from kairos.services import resource_paging as paging
from kairos.services import resources as svc
from kairos.services.resource_listing import Listing

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


_LIST = (
    " Sorted by display order, then name in natural order (`k-2` before `k-10`), then id (`sort=name`: by "
    "name; `sort=status`: not available first, then unknown, maintenance, available, each by name). Filters "
    "combine: `q` (a substring of the name or, for callers who may read targets, the target; any case), "
    "`status`, `type`, `group` and `tag=key:value`. Without `limit` the answer is the whole (filtered) list, "
    "as in the original Kairos; with `limit` it is one page from `offset`. Every answer carries "
    "`X-Total-Count` (what matches, of what the caller may see) and, when a page follows, "
    '`Link: <…>; rel="next"` (RFC 8288), with `rel="prev"` from the second page on.'
)
Limit = Annotated[int | None, Query(ge=1, le=1000, description="Page size, 1 to 1000; leave out for everything.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="How many matching resources to skip.")]
StatusParam = Annotated[
    str | None,
    Query(max_length=100, description=f"{paging.STATUS_HELP}, any case; several comma-separated."),
]
Text = Annotated[str | None, Query(max_length=200, description="Name (or target) contains this, any case.")]
GroupParam = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only members of this group (by id).")]
KindParam = Annotated[str | None, Query(alias="type", max_length=32, description="Only this kind: HTTP, TCP, …")]
TagParam = Annotated[str | None, Query(max_length=200, description="`key:value`: only resources with this tag.")]
Sort = Annotated[Literal["order", "name", "status"], Query(description="order (the default), name or status.")]


@router.get(
    "",
    openapi_extra=OPTIONAL_AUTH,
    summary="List resources",
    response_model=list[ResourcePublic],
    description=_PUBLIC + _LIST,
    responses=error_responses(401, 422, 503),
)
async def list_resources(
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: CurrentCaller,
    limit: Limit = None,
    offset: Offset = 0,
    status: StatusParam = None,
    q: Text = None,
    group: GroupParam = None,
    kind: KindParam = None,
    tag: TagParam = None,
    sort: Sort = "order",
) -> list[ResourcePublic]:
    audience = audience_of(caller, runtime.site.show_targets)
    listing = Listing(
        q=q or "",
        kind=paging.parse_kind(kind),
        group=group,
        tag=tags.parse_filter(tag) if tag is not None else None,
        sort=sort,
        targets=audience.targets,
    )
    statuses = paging.parse_statuses(status)
    found = await paging.resource_slice(session, caller, listing, statuses, runtime.board.states, (offset, limit))
    response.headers["X-Total-Count"] = str(found.total)
    links = page_links(request, offset, limit, found.total)
    if links:
        response.headers["Link"] = links
    return [resource_public(r, audience) for r in found.rows]


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
