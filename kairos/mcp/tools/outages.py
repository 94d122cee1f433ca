"""``listOutages`` (STATUS_READ): as ``GET /api/outages``, only outages of resources the caller may see."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from kairos.access.visibility import hidden_query
from kairos.api.schemas.history import OutagePublic
from kairos.api.views import outage_public
from kairos.auth.scopes import Scope
from kairos.mcp.context import current_caller
from kairos.mcp.tools.common import ResourceId, visible_resource
from kairos.runtime import Runtime
from kairos.services.outages import list_outages

if TYPE_CHECKING:
    from kairos.mcp.server import KairosMCP

ActiveOnly = Annotated[bool, Field(description="true: only outages still open; false (default): all of them.")]
Limit = Annotated[int, Field(ge=1, le=1000, description="At most this many, newest first, 1 to 1000.")]


def register(server: KairosMCP, runtime: Runtime) -> None:
    @server.kairos_tool(Scope.STATUS_READ, read_only=True)
    async def listOutages(
        activeOnly: ActiveOnly = False,
        resourceId: Annotated[ResourceId | None, Field(description="Only this resource's outages.")] = None,
        limit: Limit = 100,
    ) -> list[OutagePublic]:
        """List outages (periods a resource was down), newest first: all, or only open ones, or one resource's."""
        caller = current_caller()
        async with runtime.sessionmaker() as session:
            if resourceId is not None:
                await visible_resource(session, caller, resourceId)
            rows = await list_outages(
                session, hidden_query(caller), resource_id=resourceId, active=True if activeOnly else None, limit=limit
            )
        now = datetime.now(UTC)
        return [outage_public(o, name, kind, now) for o, name, kind in rows]
