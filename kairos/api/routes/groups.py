"""``/api/groups``: the groups resources are shown in, with their visibility, and the order of both.

Order is stored as ``ResourceGroup.display_order`` (groups) and ``GroupMember.display_order`` (a resource's
place in one group; a resource in several groups has a place in each). The order endpoints write 0, 1, 2, …
in the order given, and the dashboard reads exactly these columns."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Response
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_group, visible_group_kinds
from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RequireAdmin, RequireAuth, SessionDep
from kairos.api.errors import ApiError, error_responses, invalid, not_found
from kairos.api.ids import PathId
from kairos.api.lookup import get_or_404
from kairos.api.schemas.groups import (
    GroupCreate,
    GroupMemberPublic,
    GroupOrder,
    GroupPublic,
    GroupUpdate,
    MemberOrder,
)
from kairos.api.views import group_public
from kairos.db.models import GroupMember, Resource, ResourceGroup

router = APIRouter(prefix="/api/groups", tags=["groups"])


async def _name_taken(session: AsyncSession, name: str, but: int | None = None) -> None:
    stmt = select(func.count()).select_from(ResourceGroup).where(func.lower(ResourceGroup.name) == name.lower())
    if but is not None:
        stmt = stmt.where(ResourceGroup.id != but)
    if (await session.execute(stmt)).scalar_one():
        raise ApiError(409, "conflict", f"a group named '{name}' exists already", "name")


def _no_repeats(ids: Sequence[int], field: str, what: str) -> None:
    seen: set[int] = set()
    for i, value in enumerate(ids):
        if value in seen:
            raise invalid(f"{field}[{i}]", f"{field}[{i}]: {what} {value} is listed more than once")
        seen.add(value)


def _all_known(ids: Sequence[int], known: set[int], field: str, what: str) -> None:
    for i, value in enumerate(ids):
        if value not in known:
            raise invalid(f"{field}[{i}]", f"{field}[{i}]: {what} {value} does not exist")


async def _members(session: AsyncSession, group_id: int) -> list[GroupMemberPublic]:
    stmt = (
        select(Resource.id, Resource.name, Resource.kind, Resource.enabled, GroupMember.display_order)
        .join(GroupMember, GroupMember.resource_id == Resource.id)
        .where(GroupMember.group_id == group_id)
        .order_by(GroupMember.display_order, func.lower(Resource.name), Resource.id)
    )
    return [
        GroupMemberPublic(id=r.id, name=r.name, resource_type=r.kind, active=r.enabled, display_order=r.display_order)
        for r in await session.execute(stmt)
    ]


@router.get(
    "",
    openapi_extra=OPTIONAL_AUTH,
    summary="List groups",
    response_model=list[GroupPublic],
    description="Public, by visibility (docs/access.md): anonymous callers see PUBLIC groups, any key or "
    "signed-in user also AUTHENTICATED ones, admins also HIDDEN ones. Ordered by `displayOrder`, then id.",
    responses=error_responses(401),
)
async def list_groups(session: SessionDep, caller: CurrentCaller) -> list[GroupPublic]:
    stmt = select(ResourceGroup).order_by(ResourceGroup.display_order, ResourceGroup.id)
    if not caller.is_admin:
        stmt = stmt.where(ResourceGroup.visibility.in_(visible_group_kinds(caller)))
    return [group_public(g) for g in (await session.execute(stmt)).scalars()]


@router.post(
    "",
    status_code=201,
    summary="Create a group",
    response_model=GroupPublic,
    description="Needs an admin. Names are unique (case-insensitive). Without `displayOrder` the group "
    "comes after the last one.",
    responses=error_responses(400, 401, 403, 409, 422),
)
async def create_group(body: GroupCreate, session: SessionDep, _: RequireAdmin) -> GroupPublic:
    await _name_taken(session, body.name)
    order = body.display_order
    if order is None:
        last = (await session.execute(select(func.max(ResourceGroup.display_order)))).scalar()
        order = 0 if last is None else last + 1
    row = ResourceGroup(name=body.name, visibility=body.visibility, display_order=order)
    session.add(row)
    await session.commit()
    return group_public(row)


# Declared before ``/{group_id}`` so that "order" is never read as a group id.
@router.put(
    "/order",
    summary="Order the groups",
    response_model=list[GroupPublic],
    description="Needs an admin. `groupIds` must list every group exactly once; the first is shown first "
    "(its `displayOrder` becomes 0, the next 1, …). A missing, repeated or unknown id is a 422 naming it: "
    "reload the groups and try again.",
    responses=error_responses(400, 401, 403, 422),
)
async def order_groups(body: GroupOrder, session: SessionDep, _: RequireAdmin) -> list[GroupPublic]:
    ids = body.group_ids
    _no_repeats(ids, "groupIds", "group")
    rows = {g.id: g for g in (await session.execute(select(ResourceGroup))).scalars()}
    _all_known(ids, set(rows), "groupIds", "group")
    missing = sorted(set(rows) - set(ids))
    if missing:
        listed = ", ".join(str(m) for m in missing[:10]) + (", …" if len(missing) > 10 else "")
        raise invalid("groupIds", f"groupIds must list every group exactly once; missing: {listed}")
    for position, group_id in enumerate(ids):
        rows[group_id].display_order = position
    await session.commit()
    return [group_public(rows[i]) for i in ids]


@router.put(
    "/{group_id}",
    summary="Edit a group",
    response_model=GroupPublic,
    description="Needs an admin. Fields left out keep their value.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
async def update_group(group_id: PathId, body: GroupUpdate, session: SessionDep, _: RequireAdmin) -> GroupPublic:
    row = await get_or_404(session, ResourceGroup, group_id, "group")
    if body.name is not None:
        await _name_taken(session, body.name, but=row.id)
        row.name = body.name
    if body.visibility is not None:
        row.visibility = body.visibility
    if body.display_order is not None:
        row.display_order = body.display_order
    await session.commit()
    return group_public(row)


@router.delete(
    "/{group_id}",
    status_code=204,
    summary="Delete a group",
    description="Needs an admin. Its resources stay; they only leave the group.",
    responses=error_responses(401, 403, 404, 422),
)
async def delete_group(group_id: PathId, session: SessionDep, _: RequireAdmin) -> Response:
    await session.delete(await get_or_404(session, ResourceGroup, group_id, "group"))
    await session.commit()
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
async def group_resources(group_id: PathId, session: SessionDep, caller: RequireAuth) -> list[GroupMemberPublic]:
    group = await get_or_404(session, ResourceGroup, group_id, "group")
    if not can_see_group(caller, group.visibility):
        raise not_found("group")
    return await _members(session, group_id)


@router.put(
    "/{group_id}/order",
    summary="Set a group's members and their order",
    response_model=list[GroupMemberPublic],
    description="Needs an admin. `resourceIds` becomes the group's exact membership, in this order: listed "
    "resources join the group (a resource may be in several groups), members not listed leave it (their "
    "other groups are untouched). A repeated or unknown id is a 422 naming it (`resourceIds[2]`). To move "
    "a resource from one group to another, put the target group with it and the source group without it.",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def order_members(
    group_id: PathId, body: MemberOrder, session: SessionDep, _: RequireAdmin
) -> list[GroupMemberPublic]:
    await get_or_404(session, ResourceGroup, group_id, "group")
    ids = body.resource_ids
    _no_repeats(ids, "resourceIds", "resource")
    known = set((await session.execute(select(Resource.id).where(Resource.id.in_(ids)))).scalars()) if ids else set()
    _all_known(ids, known, "resourceIds", "resource")
    await _replace_members(session, group_id, ids)
    await session.commit()
    return await _members(session, group_id)


async def _replace_members(session: AsyncSession, group_id: int, ids: Sequence[int]) -> None:
    # Rows are updated in place (not deleted and re-inserted) so unchanged members keep their primary key row.
    current = {
        m.resource_id: m
        for m in (await session.execute(select(GroupMember).where(GroupMember.group_id == group_id))).scalars()
    }
    gone = set(current) - set(ids)
    if gone:
        await session.execute(
            delete(GroupMember).where(GroupMember.group_id == group_id, GroupMember.resource_id.in_(gone))
        )
    for position, resource_id in enumerate(ids):
        member = current.get(resource_id)
        if member is None:
            session.add(GroupMember(group_id=group_id, resource_id=resource_id, display_order=position))
        else:
            member.display_order = position
