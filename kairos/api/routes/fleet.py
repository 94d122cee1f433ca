"""``/api/fleet``: the fleet's locations and workers, for operators (docs/fleet.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from kairos.api.deps import Caller, RequireAuth, RuntimeDep, SessionDep
from kairos.api.errors import ApiError, error_responses
from kairos.api.schemas.fleet import FleetStatus
from kairos.api.scope_docs import SCOPE_ATTRIBUTE
from kairos.auth.scopes import Scope
from kairos.services.fleet import fleet_status

router = APIRouter(tags=["fleet"])


async def fleet_reader(caller: RequireAuth) -> Caller:
    """Admins, and API keys with STATUS_READ (monitoring the monitor is what read keys are for)."""
    if not (caller.is_admin or (caller.kind == "api_key" and caller.has(Scope.STATUS_READ))):
        raise ApiError(403, "forbidden", "the fleet's status needs an admin or an API key with STATUS_READ")
    return caller


setattr(fleet_reader, SCOPE_ATTRIBUTE, Scope.STATUS_READ.value)  # kairos.api.scope_docs: keys need STATUS_READ


@router.get(
    "/api/fleet",
    summary="Fleet status",
    response_model=FleetStatus,
    description="Needs an admin or an API key with `STATUS_READ`. Every location a worker ran in (up: counts in "
    "quorum verdicts; `workers`: its live workers) and the workers seen within the last hour (`live`: seen "
    "within two heartbeat intervals; `leader`: runs the singleton jobs). A single process has no fleet: both "
    "lists are empty.",
    responses=error_responses(401, 403),
)
async def fleet(session: SessionDep, runtime: RuntimeDep, _: Annotated[Caller, Depends(fleet_reader)]) -> FleetStatus:
    return await fleet_status(session, runtime.settings.heartbeat_interval_s)
