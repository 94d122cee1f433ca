"""``/api/fleet``: the fleet's locations and workers, for operators (docs/fleet.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from kairos.api.deps import Caller, RequireAuth, RuntimeDep, SessionDep
from kairos.api.errors import ApiError, error_responses
from kairos.api.schemas.fleet import FleetStatus
from kairos.services.fleet import fleet_status

router = APIRouter(tags=["fleet"])


async def fleet_reader(caller: RequireAuth) -> Caller:
    """Admins, and API keys of either role (monitoring the monitor is what READ keys are for)."""
    if caller.kind != "api_key" and not caller.is_admin:
        raise ApiError(403, "forbidden", "the fleet's status needs an API key or an admin")
    return caller


@router.get(
    "/api/fleet",
    summary="Fleet status",
    response_model=FleetStatus,
    description="Needs an API key (READ or ADMIN) or an admin. Every location a worker ran in (up: counts in "
    "quorum verdicts; `workers`: its live workers) and the workers seen within the last hour (`live`: seen "
    "within two heartbeat intervals; `leader`: runs the singleton jobs). A single process has no fleet: both "
    "lists are empty.",
    responses=error_responses(401, 403),
)
async def fleet(session: SessionDep, runtime: RuntimeDep, _: Annotated[Caller, Depends(fleet_reader)]) -> FleetStatus:
    return await fleet_status(session, runtime.settings.heartbeat_interval_s)
