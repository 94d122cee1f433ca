"""``/admin``: the console's front page, a summary with links to each area."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kairos.access.visibility import hidden_ids
from kairos.api.deps import RuntimeDep, SessionDep
from kairos.web.deps import UserPage
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Tile:
    """One number on the overview, linking to the list it counts."""

    label: str
    value: int
    href: str
    tone: str = ""


def _tiles(counts: Counter[str], total: int, outages: int) -> list[Tile]:
    # The status filters are the resources list's own (docs/console.md); "unknown" there counts a resource not
    # checked yet, as here.
    def status(name: str, label: str, tone: str) -> Tile:
        return Tile(label, counts.get(name, 0), f"/admin/resources?status={name}", tone)

    return [
        Tile("resources", total, "/admin/resources"),
        status("available", "available", "text-up"),
        status("not-available", "not available", "text-down"),
        status("unknown", "unknown", "text-unknown"),
        Tile("active outages", outages, "/outages#active"),
    ]


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
    tiles = _tiles(counts, len(states), outages)
    return render(request, "admin/home.html", tiles=tiles, total=len(states), changed=bool(changed))
