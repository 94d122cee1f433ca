"""Groups and resource changes: ``listGroups`` (STATUS_READ); ``createResource``, ``updateResource`` and
``setResourceEnabled`` (RESOURCE_MANAGE), through the resources service and the scheduler, as
``POST``/``PUT /api/resources`` do (same validation, the change takes effect at once)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from kairos.access.visibility import caller_level
from kairos.api.schemas.common import Id, Name, Target
from kairos.api.schemas.groups import GroupPublic
from kairos.api.schemas.resources import Interval, ResourceCreate, ResourceDetail, ResourceType, ResourceUpdate, Timeout
from kairos.api.views import audience_of, group_public, resource_detail
from kairos.auth.scopes import Scope
from kairos.db.models import Resource
from kairos.mcp.context import current_caller
from kairos.mcp.tools.common import ResourceId, visible_resource
from kairos.runtime import Runtime
from kairos.services import groups, push
from kairos.services import resources as svc

if TYPE_CHECKING:
    from kairos.mcp.server import KairosMCP

GroupIds = Annotated[
    list[Id] | None, Field(max_length=100, description="Put it in these groups (listGroups); replaces its groups.")
]
TargetArg = Annotated[Target, Field(description="HTTP: an http(s) URL. TCP: host:port. DOCKER: an image reference.")]
Options = Annotated[
    dict[str, Any] | None,
    Field(
        description="Per-kind options as in the REST API (e.g. HTTP method, body, bodyJson, contentType, "
        "acceptedStatusCodes, bodyContains, headers, assertions: docs/http-checks.md)."
    ),
]
IntervalArg = Annotated[Interval | None, Field(description="Seconds between checks, 5 to 86400.")]
TimeoutArg = Annotated[Timeout | None, Field(description="Seconds before a check is cut, 1 to 300.")]
SkipTls = Annotated[bool | None, Field(description="Do not verify the target's TLS certificate.")]
Active = Annotated[bool | None, Field(description="false: kept, but not checked.")]
CredentialId = Annotated[Id | None, Field(description="Stored credentials (/api/credentials) to use.")]
OutageThreshold = Annotated[int | None, Field(ge=1, le=100, description="Failures before an outage; else its type's.")]
RecoveryThreshold = Annotated[
    int | None, Field(ge=1, le=100, description="Successes before recovery; else its type's.")
]
UpsideDown = Annotated[bool | None, Field(description="true: available when the target is down (upside-down).")]


def _body(**given: Any) -> dict[str, Any]:
    """The API body from the arguments that were given (a left-out argument keeps the stored value)."""
    names = {"skipTls": "skipTLS"}
    return {names.get(k, k): v for k, v in given.items() if v is not None}


def register(server: KairosMCP, runtime: Runtime) -> None:
    manage = server.kairos_tool(Scope.RESOURCE_MANAGE, read_only=False)

    def detail(row: Resource) -> ResourceDetail:
        audience = audience_of(current_caller(), runtime.site.show_targets)
        return resource_detail(row, runtime.board.state(row.id), audience, runtime.board.locations_of(row.id))

    @server.kairos_tool(Scope.STATUS_READ, read_only=True)
    async def listGroups() -> list[GroupPublic]:
        """List the groups resources are shown in (id, name, visibility, order) that this key may see."""
        async with runtime.sessionmaker() as session:
            rows = await groups.list_groups(session, caller_level(current_caller()))
        return [group_public(g) for g in rows]

    @manage
    async def createResource(
        name: Name,
        resourceType: ResourceType,
        target: TargetArg,
        groupIds: GroupIds = None,
        active: Active = None,
        intervalSeconds: IntervalArg = None,
        timeoutSeconds: TimeoutArg = None,
        skipTls: SkipTls = None,
        options: Options = None,
        credentialId: CredentialId = None,
        outageThreshold: OutageThreshold = None,
        recoveryThreshold: RecoveryThreshold = None,
        upsideDown: UpsideDown = None,
    ) -> ResourceDetail:
        """Create a resource to monitor (HTTP URL, TCP host:port, DOCKER image, ...); it is checked at once. A PUSH
        (heartbeat) resource's answer holds its secret ping URL in `push`, shown this once (relative to Kairos's
        address unless KAIROS_PUBLIC_URL is set)."""
        body = ResourceCreate.model_validate(
            _body(
                name=name,
                resourceType=resourceType,
                target=target,
                groupIds=groupIds,
                active=active,
                intervalSeconds=intervalSeconds,
                timeoutSeconds=timeoutSeconds,
                skipTls=skipTls,
                options=options,
                credentialId=credentialId,
                outageThreshold=outageThreshold,
                recoveryThreshold=recoveryThreshold,
                upsideDown=upsideDown,
            )
        )
        async with runtime.sessionmaker() as session:
            row = await svc.create_resource(session, body)
            token = await push.ensure_token(session, row)
            await runtime.scheduler.resource_changed(row.id)
            answer = detail(row)
        if token is not None:  # a PUSH resource: its ping URL, in this answer only (docs/push.md)
            answer.push = push.token_answer(row.id, token, runtime.settings.public_url)
        return answer

    @manage
    async def updateResource(
        resourceId: ResourceId,
        name: Annotated[Name | None, Field(description="A new name, 1 to 200 characters.")] = None,
        target: Annotated[Target | None, Field(description="A new target (checked by the resource's type).")] = None,
        groupIds: GroupIds = None,
        active: Active = None,
        intervalSeconds: IntervalArg = None,
        timeoutSeconds: TimeoutArg = None,
        skipTls: SkipTls = None,
        options: Annotated[dict[str, Any] | None, Field(description="Replaces the options (REST API shape).")] = None,
        credentialId: CredentialId = None,
        outageThreshold: OutageThreshold = None,
        recoveryThreshold: RecoveryThreshold = None,
        upsideDown: UpsideDown = None,
    ) -> ResourceDetail:
        """Change a resource: only the arguments given change; it is re-checked at once."""
        body = ResourceUpdate.model_validate(
            _body(
                name=name,
                target=target,
                groupIds=groupIds,
                active=active,
                intervalSeconds=intervalSeconds,
                timeoutSeconds=timeoutSeconds,
                skipTls=skipTls,
                options=options,
                credentialId=credentialId,
                outageThreshold=outageThreshold,
                recoveryThreshold=recoveryThreshold,
                upsideDown=upsideDown,
            )
        )
        async with runtime.sessionmaker() as session:
            row = await visible_resource(session, current_caller(), resourceId)
            row = await svc.update_resource(session, row, body)
            await runtime.scheduler.resource_changed(row.id)
            return detail(row)

    @manage
    async def setResourceEnabled(
        resourceId: ResourceId, enabled: Annotated[bool, Field(description="false pauses its checks.")]
    ) -> ResourceDetail:
        """Pause (enabled=false) or resume (enabled=true) the checks of a resource; its history is kept."""
        async with runtime.sessionmaker() as session:
            row = await visible_resource(session, current_caller(), resourceId)
            row = await svc.set_enabled(session, row, enabled)
            await runtime.scheduler.resource_changed(row.id)
            return detail(row)
