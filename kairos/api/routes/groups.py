"""``/api/groups``: the groups resources are shown in, with their visibility, and the order of both.

Order is stored as ``ResourceGroup.display_order`` (groups) and ``GroupMember.display_order`` (a resource's
place in one group; a resource in several groups has a place in each). The order endpoints write 0, 1, 2, …
in the order given, and the dashboard reads exactly these columns. The rules live in kairos/services/groups.py."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kairos.access.visibility import caller_level
from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RequireResourceManage, RequireStatusRead, SessionDep
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
from kairos.api.schemas.groups import (
    GroupCreate,
    GroupMemberPublic,
    GroupOrder,
    GroupPublic,
    GroupUpdate,
    MemberOrder,
)
from kairos.api.views import group_public
from kairos.services import groups

router = APIRouter(prefix="/api/groups", tags=["groups"])


@router.get(
    "",
    openapi_extra=OPTIONAL_AUTH,
    summary="List groups",
    response_model=list[GroupPublic],
    description="Public, by visibility (docs/access.md): anonymous callers see PUBLIC groups, any key or "
    "signed-in user also AUTHENTICATED ones, admins also HIDDEN ones. Ordered by `displayOrder`, then name "
    "(natural order), then id.",
    responses=error_responses(401),
)
async def list_groups(session: SessionDep, caller: CurrentCaller) -> list[GroupPublic]:
    return [group_public(g) for g in await groups.list_groups(session, caller_level(caller))]


@router.post(
    "",
    status_code=201,
    summary="Create a group",
    response_model=GroupPublic,
    description="Needs an admin or an API key with RESOURCE_MANAGE. "
    "Names are unique (case-insensitive). Without `displayOrder` the group "
    "comes after the last one.",
    responses=error_responses(400, 401, 403, 409, 422),
)
async def create_group(body: GroupCreate, session: SessionDep, _: RequireResourceManage) -> GroupPublic:
    return group_public(await groups.create_group(session, body))


# Declared before ``/{group_id}`` so that "order" is never read as a group id.
@router.put(
    "/order",
    summary="Order the groups",
    response_model=list[GroupPublic],
    description="Needs an admin or an API key with RESOURCE_MANAGE. "
    "`groupIds` must list every group exactly once; the first is shown first "
    "(its `displayOrder` becomes 0, the next 1, …). A missing, repeated or unknown id is a 422 naming it: "
    "reload the groups and try again.",
    responses=error_responses(400, 401, 403, 422),
)
async def order_groups(body: GroupOrder, session: SessionDep, _: RequireResourceManage) -> list[GroupPublic]:
    return [group_public(g) for g in await groups.order_groups(session, body.group_ids)]


@router.put(
    "/{group_id}",
    summary="Edit a group",
    response_model=GroupPublic,
    description="Needs an admin or an API key with RESOURCE_MANAGE. Fields left out keep their value.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
async def update_group(
    group_id: PathId, body: GroupUpdate, session: SessionDep, _: RequireResourceManage
) -> GroupPublic:
    return group_public(await groups.update_group(session, group_id, body))


@router.delete(
    "/{group_id}",
    status_code=204,
    summary="Delete a group",
    description="Needs an admin or an API key with RESOURCE_MANAGE. Its resources stay; they only leave the group.",
    responses=error_responses(401, 403, 404, 422),
)
async def delete_group(group_id: PathId, session: SessionDep, _: RequireResourceManage) -> Response:
    await groups.delete_group(session, group_id)
    return Response(status_code=204)


@router.get(
    "/{group_id}/resources",
    summary="Members of a group, in order",
    response_model=list[GroupMemberPublic],
    description="Needs authentication (any key or user). The group's resources in their order in this group. "
    "A HIDDEN group answers 404 except to admins (docs/access.md); every member of a group the caller may see "
    "is visible to them too (a resource takes its most permissive group).",
    responses=error_responses(401, 404, 422),
)
async def group_resources(group_id: PathId, session: SessionDep, caller: RequireStatusRead) -> list[GroupMemberPublic]:
    return await groups.members(session, group_id, caller_level(caller))


@router.put(
    "/{group_id}/order",
    summary="Set a group's members and their order",
    response_model=list[GroupMemberPublic],
    description="Needs an admin or an API key with RESOURCE_MANAGE. "
    "`resourceIds` becomes the group's exact membership, in this order: listed "
    "resources join the group (a resource may be in several groups), members not listed leave it (their "
    "other groups are untouched). A repeated or unknown id is a 422 naming it (`resourceIds[2]`). To move "
    "a resource from one group to another, put the target group with it and the source group without it.",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def order_members(
    group_id: PathId, body: MemberOrder, session: SessionDep, _: RequireResourceManage
) -> list[GroupMemberPublic]:
    return await groups.order_members(session, group_id, body.resource_ids)
