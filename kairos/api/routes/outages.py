"""Outages: periods between the thresholds' opening and closing checks, newest first; an admin deletes closed
ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_resource, hidden_query
from kairos.api.deps import Caller, RequireAdmin, RequireStatusRead, SessionDep
from kairos.api.errors import error_responses, not_found
from kairos.api.ids import PathId
from kairos.api.schemas.common import MAX_ID
from kairos.api.schemas.history import OutagePublic
from kairos.api.views import outage_public
from kairos.services.outages import delete_outage, list_outages
from kairos.services.resources import load_resource

router = APIRouter(tags=["outages"])

Active = Annotated[bool | None, Query(description="true: only open outages; false: only closed ones.")]
Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many, 1 to 1000.")]
_AUTH = (
    "Needs any authenticated caller. Only outages of resources the caller may see (docs/access.md: a key or "
    "user that is not an admin never sees resources whose groups are all HIDDEN). Newest first."
)


async def _outages(
    session: AsyncSession, caller: Caller, resource_id: int | None, active: bool | None, limit: int
) -> list[OutagePublic]:
    rows = await list_outages(session, hidden_query(caller), resource_id=resource_id, active=active, limit=limit)
    now = datetime.now(UTC)
    return [outage_public(o, name, kind, now) for o, name, kind in rows]


@router.get(
    "/api/outages",
    summary="Outages of all resources",
    response_model=list[OutagePublic],
    description=_AUTH,
    responses=error_responses(401, 422),
)
async def all_outages(
    session: SessionDep,
    caller: RequireStatusRead,
    active: Active = None,
    resource_id: Annotated[int | None, Query(alias="resourceId", ge=1, le=MAX_ID)] = None,
    limit: Limit = 100,
) -> list[OutagePublic]:
    return await _outages(session, caller, resource_id, active, limit)


@router.get(
    "/api/resources/{resource_id}/outages",
    summary="Outages of one resource",
    response_model=list[OutagePublic],
    description=_AUTH,
    responses=error_responses(401, 404, 422),
)
async def resource_outages(
    resource_id: PathId, session: SessionDep, caller: RequireStatusRead, active: Active = None, limit: Limit = 100
) -> list[OutagePublic]:
    row = await load_resource(session, resource_id)
    if not can_see_resource(caller, row):
        raise not_found("resource")
    return await _outages(session, caller, row.id, active, limit)


@router.delete(
    "/api/outages/{outage_id}",
    status_code=204,
    summary="Delete a closed outage",
    description="Needs an admin. Removes the outage from the lists (a false alarm, a planned maintenance); "
    "the deletion is logged on the `kairos.audit` logger with who, which outage, its resource and its span. "
    "An active outage is refused with 409 `outage_active`: it ends when the resource recovers, or with its "
    "resource. Uptime is computed from check results, not outages, so no percentage changes.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def delete_one_outage(outage_id: PathId, session: SessionDep, caller: RequireAdmin) -> Response:
    await delete_outage(session, outage_id, hidden_query(caller), caller)
    return Response(status_code=204)
