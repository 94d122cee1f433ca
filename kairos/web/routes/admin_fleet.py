"""``/admin/fleet``: the fleet's locations (up or down, since when) and its workers (docs/fleet.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.services.fleet import fleet_status
from kairos.web.deps import AdminPage
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/fleet")
async def fleet_page(request: Request, _: AdminPage, session: SessionDep, runtime: RuntimeDep) -> Response:
    status = await fleet_status(session, runtime.settings.heartbeat_interval_s)
    return render(request, "admin/fleet.html", fleet=status, settings=runtime.settings)
