"""MCP resources (STATUS_READ): ``kairos://status``, the status summary (what is down and since when, counts),
and ``kairos://resources/{id}``, one resource as ``GET /api/resources/{id}`` answers it. Both JSON.

A read the caller may not make is a protocol error, as the SDK reports resource failures: an unknown or hidden
resource is "not found" (-32602), a key without STATUS_READ gets "forbidden" (-32603)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

from kairos.api.deps import missing_scope
from kairos.api.schemas.common import MAX_ID
from kairos.api.views import audience_of, resource_detail
from kairos.auth.scopes import Scope
from kairos.errors import NotFound
from kairos.mcp.context import current_caller
from kairos.mcp.summary import status_summary
from kairos.mcp.tools.common import visible_resource
from kairos.runtime import Runtime

if TYPE_CHECKING:
    from kairos.mcp.server import KairosMCP

JSON = "application/json"


def _allowed() -> None:
    if not current_caller().has(Scope.STATUS_READ):
        raise ResourceError(f"forbidden: {missing_scope(Scope.STATUS_READ).message}")


def _resource_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise ResourceNotFoundError("resource not found")
    return int(text)


def register(server: KairosMCP, runtime: Runtime) -> None:
    @server.resource(
        "kairos://status", name="status", description="What is down now and since when, with counts.", mime_type=JSON
    )
    async def status() -> str:
        _allowed()
        async with runtime.sessionmaker() as session:
            summary = await status_summary(session, runtime, current_caller())
        return summary.model_dump_json(by_alias=True)

    @server.resource(
        "kairos://resources/{resource_id}",
        name="resource",
        description="One resource: configuration, current status and latest check.",
        mime_type=JSON,
    )
    async def resource(resource_id: str) -> str:
        _allowed()
        caller = current_caller()
        try:
            async with runtime.sessionmaker() as session:
                row = await visible_resource(session, caller, _resource_id(resource_id))
        except NotFound:
            raise ResourceNotFoundError("resource not found") from None
        audience = audience_of(caller, runtime.site.show_targets)
        detail = resource_detail(row, runtime.board.state(row.id), audience, runtime.board.locations_of(row.id))
        return detail.model_dump_json(by_alias=True)
