"""``/admin``: the console's front page, a summary with links to each area."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kairos.access.visibility import hidden_ids
from kairos.api.deps import RuntimeDep, SessionDep
from kairos.web.deps import UserPage
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin")
async def admin_home(
    request: Request, caller: UserPage, runtime: RuntimeDep, session: SessionDep, changed: int = 0
) -> Response:
    # A USER counts only what the visibility rule lets them see: totals of hidden groups would tell them that
    # resources exist there and when they fail.
    hidden = await hidden_ids(session, caller)
    states = [s for rid, s in runtime.board.states.items() if rid not in hidden]
    counts = Counter(s.status.api_name for s in states)
    outages = sum(1 for s in states if s.outage_since is not None)
    return render(request, "admin/home.html", counts=counts, total=len(states), outages=outages, changed=bool(changed))
