"""``/api/groups``: the groups resources are shown in, with their visibility."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RequireAdmin, SessionDep
from kairos.api.errors import ApiError, error_responses
from kairos.api.lookup import get_or_404
from kairos.api.schemas.groups import GroupCreate, GroupPublic, GroupUpdate
from kairos.api.views import group_public
from kairos.db.models import ResourceGroup

router = APIRouter(prefix="/api/groups", tags=["groups"])


async def _name_taken(session: AsyncSession, name: str, but: int | None = None) -> None:
    stmt = select(func.count()).select_from(ResourceGroup).where(func.lower(ResourceGroup.name) == name.lower())
    if but is not None:
        stmt = stmt.where(ResourceGroup.id != but)
    if (await session.execute(stmt)).scalar_one():
        raise ApiError(409, "conflict", f"a group named '{name}' exists already", "name")


@router.get(
    "",
    openapi_extra=OPTIONAL_AUTH,
    summary="List groups",
    response_model=list[GroupPublic],
    description="Public: anonymous callers see PUBLIC groups, authenticated callers all.",
    responses=error_responses(401),
)
async def list_groups(session: SessionDep, caller: CurrentCaller) -> list[GroupPublic]:
    stmt = select(ResourceGroup).order_by(ResourceGroup.display_order, ResourceGroup.id)
    if not caller.authenticated:
        stmt = stmt.where(ResourceGroup.visibility == "PUBLIC")
    return [group_public(g) for g in (await session.execute(stmt)).scalars()]


@router.post(
    "",
    status_code=201,
    summary="Create a group",
    response_model=GroupPublic,
    description="Needs an admin. Names are unique (case-insensitive).",
    responses=error_responses(400, 401, 403, 409, 422),
)
async def create_group(body: GroupCreate, session: SessionDep, _: RequireAdmin) -> GroupPublic:
    await _name_taken(session, body.name)
    row = ResourceGroup(name=body.name, visibility=body.visibility, display_order=body.display_order)
    session.add(row)
    await session.commit()
    return group_public(row)


@router.put(
    "/{group_id}",
    summary="Edit a group",
    response_model=GroupPublic,
    description="Needs an admin. Fields left out keep their value.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
async def update_group(group_id: int, body: GroupUpdate, session: SessionDep, _: RequireAdmin) -> GroupPublic:
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
async def delete_group(group_id: int, session: SessionDep, _: RequireAdmin) -> Response:
    await session.delete(await get_or_404(session, ResourceGroup, group_id, "group"))
    await session.commit()
    return Response(status_code=204)
