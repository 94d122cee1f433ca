"""``POST /api/resources/bulk`` and ``POST /api/resources/{id}/clone``: acting on a selection, copying one."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from kairos.api.deps import RequireResourceManage, RuntimeDep, SessionDep
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
from kairos.api.schemas.resource_actions import BulkResult, ResourceBulk, ResourceClone
from kairos.api.schemas.resources import ResourceDetail
from kairos.api.views import clone_body, resource_detail
from kairos.services import resource_bulk
from kairos.services import resources as svc

router = APIRouter(prefix="/api/resources", tags=["resources"])
audit = logging.getLogger("kairos.audit")


@router.post(
    "/bulk",
    summary="Act on several resources",
    response_model=BulkResult,
    description="Needs an admin or an API key with RESOURCE_MANAGE. Pause, resume, delete, move to a group, add "
    "to or remove from a group, tag or untag, for 1 to 1,000 resources in one transaction: an unknown id (404, `field: "
    "resourceIds`) or group (404, `field: groupId`) refuses the whole request and changes nothing.",
    responses=error_responses(401, 403, 404, 422),
)
async def bulk(
    body: ResourceBulk, session: SessionDep, runtime: RuntimeDep, caller: RequireResourceManage
) -> BulkResult:
    outcome = await resource_bulk.apply(session, body.action, body.resource_ids, body.group_id, body.tag)
    await resource_bulk.announce(runtime.scheduler, outcome)
    who = caller.email or f"api-key:{caller.key_id}"
    audit.info("bulk %s of %d resources by %s: ids %s", body.action, len(outcome.names), who, body.resource_ids)
    return BulkResult(action=body.action, changed=outcome.changed, deleted=outcome.deleted)


@router.post(
    "/{resource_id}/clone",
    status_code=201,
    summary="Clone a resource",
    response_model=ResourceDetail,
    description="Needs an admin or an API key with RESOURCE_MANAGE. A new resource with the source's settings, "
    "options (header values included), credential and groups; paused unless `active` is true, named "
    "“<name> (copy)” unless `name` is given. The body may be empty.",
    responses=error_responses(401, 403, 404, 422),
)
async def clone(
    resource_id: PathId,
    session: SessionDep,
    runtime: RuntimeDep,
    _: RequireResourceManage,
    body: ResourceClone | None = None,
) -> ResourceDetail:
    wanted = body or ResourceClone()
    source = await svc.load_resource(session, resource_id)
    name = wanted.name or f"{source.name} (copy)"[:200]
    row = await svc.create_resource(session, clone_body(source, name, wanted.active))
    await runtime.scheduler.resource_changed(row.id)
    return resource_detail(row, runtime.board.state(row.id))
