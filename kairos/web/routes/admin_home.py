"""``/admin``: the console's front page, a summary with links to each area."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kairos.api.deps import RuntimeDep
from kairos.web.deps import UserPage
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin")
async def admin_home(request: Request, caller: UserPage, runtime: RuntimeDep, changed: int = 0) -> Response:
    states = runtime.scheduler.state
    counts = Counter(s.status.api_name for s in states.values())
    outages = sum(1 for s in states.values() if s.outage_since is not None)
    return render(request, "admin/home.html", counts=counts, total=len(states), outages=outages, changed=bool(changed))
