"""Checks on demand (CHECK_EXECUTE): ``triggerCheck`` (as ``POST /api/resources/{id}/check``) and
``runInstantCheck`` (as ``POST /api/instant-check``: the same service, slots and target policy)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from kairos.api.schemas.common import Id, Target
from kairos.api.schemas.instant_check import MAX_TIMEOUT_S, InstantCheckRequest, InstantCheckResult
from kairos.api.schemas.resources import CheckNowResult, ResourceType
from kairos.api.views import check_now_result
from kairos.auth.scopes import Scope
from kairos.errors import NotFound
from kairos.mcp.context import current_caller
from kairos.mcp.tools.common import ResourceId, visible_resource
from kairos.runtime import Runtime
from kairos.services.instant_checks import run_instant_check

if TYPE_CHECKING:
    from kairos.mcp.server import KairosMCP

TargetArg = Annotated[Target, Field(description="HTTP: an http(s) URL. TCP: host:port. DOCKER: an image reference.")]
Options = Annotated[
    dict[str, Any] | None,
    Field(description="Per-kind options as in the REST API (e.g. HTTP expectedStatus, bodyContains, headers)."),
]


def register(server: KairosMCP, runtime: Runtime) -> None:
    @server.kairos_tool(Scope.CHECK_EXECUTE, read_only=False, open_world=True)
    async def triggerCheck(resourceId: ResourceId) -> CheckNowResult:
        """Check one resource now (recorded in its history) and return the verdict with its latency phases."""
        async with runtime.sessionmaker() as session:
            row = await visible_resource(session, current_caller(), resourceId)
        result = await runtime.scheduler.check_now(row.id)
        if result is None:
            raise NotFound.of("resource (not scheduled: its stored configuration is invalid)")
        return check_now_result(row.id, result)

    @server.kairos_tool(Scope.CHECK_EXECUTE, read_only=True, open_world=True)
    async def runInstantCheck(
        resourceType: ResourceType,
        target: TargetArg,
        skipTls: Annotated[bool, Field(description="Do not verify the TLS certificate.")] = False,
        options: Options = None,
        timeoutSeconds: Annotated[
            float | None, Field(ge=1, le=MAX_TIMEOUT_S, description="Cut the check after this many seconds.")
        ] = None,
        credentialId: Annotated[Id | None, Field(description="Stored credentials to send (admins only).")] = None,
    ) -> InstantCheckResult:
        """Check any target once without saving anything (no resource, no history) and return the verdict."""
        given = {
            "resourceType": resourceType,
            "target": target,
            "skipTLS": skipTls,
            "options": options,
            "timeoutSeconds": timeoutSeconds,
            "credentialId": credentialId,
        }
        body = InstantCheckRequest.model_validate({k: v for k, v in given.items() if v is not None})
        async with runtime.sessionmaker() as session:
            return await run_instant_check(runtime, session, current_caller(), body, runtime.instant_checks)
