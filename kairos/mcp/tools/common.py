"""What the tools share: argument types and the visibility check every resource lookup goes through."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_resource
from kairos.api.deps import Caller
from kairos.api.schemas.common import MAX_ID
from kairos.db.models import Resource
from kairos.errors import NotFound
from kairos.services.resources import load_resource

ResourceId = Annotated[int, Field(ge=1, le=MAX_ID, description="The resource's id (from listResources).")]


async def visible_resource(session: AsyncSession, caller: Caller, resource_id: int) -> Resource:
    """The resource, or ``not_found`` when it does not exist or the caller may not see it (as the API)."""
    row = await load_resource(session, resource_id)
    if not can_see_resource(caller, row):
        raise NotFound.of("resource")
    return row
