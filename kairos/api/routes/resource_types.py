"""``/api/resource-types``: per-kind interval, parallelism, timeout and outage thresholds."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import error_responses, invalid, not_found
from kairos.api.schemas.resource_types import ResourceTypePublic, ResourceTypeUpdate
from kairos.db.models import ResourceTypeSettings
from kairos.probes.kinds import kind_names
from kairos.runtime import Runtime
from kairos.scheduler.catalog import TypeSettings

router = APIRouter(prefix="/api/resource-types", tags=["resource types"])

_PUT_DOC = (
    "Needs an admin. Fields left out keep their value. Takes effect without a restart: intervals "
    "from each resource's next check, parallelism and thresholds at once."
)
_FIELDS = {
    "interval_seconds": "interval_s",
    "parallelism": "parallelism",
    "timeout_seconds": "timeout_s",
    "outage_threshold": "outage_threshold",
    "recovery_threshold": "recovery_threshold",
}


def _public(kind: str, t: TypeSettings) -> ResourceTypePublic:
    return ResourceTypePublic(
        resource_type=kind,
        interval_seconds=t.interval_s,
        parallelism=t.parallelism,
        timeout_seconds=t.timeout_s,
        outage_threshold=t.outage_threshold,
        recovery_threshold=t.recovery_threshold,
    )


def _names() -> str:
    """``HTTP, TCP or DOCKER``: the registered kinds, as the not-found message lists them."""
    names = kind_names()
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _all(runtime: Runtime) -> list[ResourceTypePublic]:
    return [_public(kind, t) for kind, t in sorted(runtime.scheduler.types.items())]


async def apply_type_settings(session: AsyncSession, runtime: Runtime, kind: str, body: ResourceTypeUpdate) -> None:
    current = runtime.scheduler.types[kind]
    row = await session.get(ResourceTypeSettings, kind)
    if row is None:
        row = ResourceTypeSettings(
            kind=kind,
            interval_s=current.interval_s,
            parallelism=current.parallelism,
            timeout_s=current.timeout_s,
            outage_threshold=current.outage_threshold,
            recovery_threshold=current.recovery_threshold,
        )
        session.add(row)
    for field, column in _FIELDS.items():
        if field in body.model_fields_set:
            setattr(row, column, getattr(body, field))


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
    seen: set[str] = set()
    for i, item in enumerate(body):
        if item.resource_type is None:
            raise invalid(f"[{i}].resourceType", f"[{i}].resourceType is required")
        if item.resource_type in seen:
            raise invalid(f"[{i}].resourceType", f"{item.resource_type} is listed twice")
        seen.add(item.resource_type)
        await apply_type_settings(session, runtime, item.resource_type, item)
    await session.commit()
    await runtime.scheduler.reload_type_settings()
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
    parsed = kind.upper()
    if parsed not in kind_names():
        raise not_found(f"resource type ({_names()})")
    if body.resource_type is not None and body.resource_type != parsed:
        raise invalid("resourceType", "resourceType does not match the path")
    await apply_type_settings(session, runtime, parsed, body)
    await session.commit()
    await runtime.scheduler.reload_type_settings()
    return _public(parsed, runtime.scheduler.types[parsed])
