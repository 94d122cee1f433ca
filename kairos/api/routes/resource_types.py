"""``/api/resource-types``: per-kind interval, parallelism, timeout, outage thresholds and fleet quorum.

The rules live in kairos/services/resource_types.py, shared with the console."""

from __future__ import annotations

from fastapi import APIRouter

from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import error_responses
from kairos.api.schemas.resource_types import ResourceTypePublic, ResourceTypeUpdate
from kairos.runtime import Runtime
from kairos.scheduler.catalog import TypeSettings
from kairos.services import resource_types

router = APIRouter(prefix="/api/resource-types", tags=["resource types"])

_PUT_DOC = (
    "Needs an admin. Fields left out keep their value. Takes effect without a restart: intervals "
    "from each resource's next check, parallelism and thresholds at once."
)


def _public(kind: str, t: TypeSettings) -> ResourceTypePublic:
    return ResourceTypePublic(
        resource_type=kind,
        interval_seconds=t.interval_s,
        parallelism=t.parallelism,
        timeout_seconds=t.timeout_s,
        outage_threshold=t.outage_threshold,
        recovery_threshold=t.recovery_threshold,
        quorum=t.quorum,
    )


def _all(runtime: Runtime) -> list[ResourceTypePublic]:
    return [_public(kind, t) for kind, t in resource_types.in_force(runtime.scheduler)]


@router.get(
    "",
    openapi_extra=OPTIONAL_AUTH,
    summary="Settings per resource type",
    response_model=list[ResourceTypePublic],
    description="Public. One entry per kind, defaults included.",
    responses=error_responses(401),
)
async def list_types(runtime: RuntimeDep, _: CurrentCaller) -> list[ResourceTypePublic]:
    return _all(runtime)


@router.put(
    "",
    summary="Change the settings of several resource types",
    response_model=list[ResourceTypePublic],
    description=_PUT_DOC + " Each entry names its `resourceType`.",
    responses=error_responses(400, 401, 403, 422),
)
async def update_types(
    body: list[ResourceTypeUpdate], session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> list[ResourceTypePublic]:
    await resource_types.update_many(session, runtime.scheduler, body)
    return _all(runtime)


@router.put(
    "/{kind}",
    summary="Change the settings of one resource type",
    response_model=ResourceTypePublic,
    description=_PUT_DOC,
    responses=error_responses(400, 401, 403, 404, 422),
)
async def update_type(
    kind: str, body: ResourceTypeUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> ResourceTypePublic:
    return _public(kind.upper(), await resource_types.update_one(session, runtime.scheduler, kind, body))
