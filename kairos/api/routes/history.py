"""``/api/resources/{id}/history``: raw check results, newest first, paginated with a cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from kairos.access.visibility import can_see_resource
from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RuntimeDep, SessionDep
from kairos.api.errors import error_responses, not_found
from kairos.api.ids import PathId
from kairos.api.redaction import public_details, public_message, targets_shown
from kairos.api.schemas.history import HistoryItem
from kairos.api.views import history_item
from kairos.services.history import HistoryFilter, page
from kairos.services.resources import load_resource

router = APIRouter(prefix="/api/resources", tags=["history"])

_DESCRIPTION = """Public: anyone who may see the resource may read its history (by group visibility,
docs/access.md: anonymous callers see resources in no group or in a PUBLIC group, any key or signed-in user
also AUTHENTICATED ones, admins also HIDDEN ones; others answer 404). When the site hides targets
(`showTargets` off), anonymous callers get `message` rebuilt from the status, error code and HTTP status
(for example `Not available: connect_refused`), and `details` without the keys that name the target
(`final_url`, `address`, …; image facts such as `digest`, `platforms`, `layerCount` stay).

Newest first (results of the same millisecond in several locations by location name). The answer is a plain
list, as in the original Kairos; when more results may follow, the `X-Next-Before` header holds the cursor for
the next page (`<id>@<location>`) and `Link` the next page's URL (`rel="next"`). `before` takes that cursor, a
bare result id (older than that millisecond in every location) or an ISO-8601 time. `location` keeps the
results of one location (in a fleet, docs/fleet.md; a single process checks in `local`)."""


def _next_link(request: Request, cursor: str) -> str:
    params = dict(request.query_params)
    params["before"] = cursor
    return f'<{request.url.path}?{urlencode(params)}>; rel="next"'


@router.get(
    "/{resource_id}/history",
    summary="Check history of a resource",
    response_model=list[HistoryItem],
    description=_DESCRIPTION,
    responses=error_responses(401, 404, 422),
    openapi_extra=OPTIONAL_AUTH,
)
async def history(
    resource_id: PathId,
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    caller: CurrentCaller,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size, 1 to 1000.")] = 100,
    before: Annotated[
        str | None, Query(max_length=64, description="Cursor: `<id>@<location>`, a result id or a time.")
    ] = None,
    from_: Annotated[datetime | None, Query(alias="from", description="Checked at or after (ISO-8601).")] = None,
    to: Annotated[datetime | None, Query(description="Checked before (ISO-8601).")] = None,
    status: Annotated[str | None, Query(description="AVAILABLE, NOT_AVAILABLE or UNKNOWN.")] = None,
    location: Annotated[
        str | None, Query(max_length=64, description="Only the results checked in this location.")
    ] = None,
) -> list[HistoryItem]:
    resource = await load_resource(session, resource_id)
    if not can_see_resource(caller, resource):
        raise not_found("resource")
    rows, cursor = await page(session, resource.id, HistoryFilter(limit, before, from_, to, status, location))
    if cursor is not None:
        response.headers["X-Next-Before"] = cursor
        response.headers["Link"] = _next_link(request, cursor)
    items = [history_item(row) for row in rows]
    if not targets_shown(caller, runtime):
        for item in items:
            item.message = public_message(item.status, item.error_code, item.http_status)
            item.details = public_details(item.details)
    return items
