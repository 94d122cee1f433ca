"""``/api/resources/{id}/history``: raw check results, newest first, paginated with a cursor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_resource
from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RuntimeDep, SessionDep
from kairos.api.errors import error_responses, invalid, not_found
from kairos.api.ids import PathId
from kairos.api.redaction import public_details, public_message, targets_shown
from kairos.api.schemas.history import HistoryItem
from kairos.api.views import history_item
from kairos.db.models import CheckResult
from kairos.probes.base import Status
from kairos.services.resources import load_resource

router = APIRouter(prefix="/api/resources", tags=["history"])

MAX_BIGINT = 2**63 - 1
_STATUS_NAMES = {
    "AVAILABLE": Status.AVAILABLE,
    "NOT_AVAILABLE": Status.NOT_AVAILABLE,
    "NOT-AVAILABLE": Status.NOT_AVAILABLE,
    "UNKNOWN": Status.UNKNOWN,
}
_DESCRIPTION = """Public: anyone who may see the resource may read its history (by group visibility,
docs/access.md: anonymous callers see resources in no group or in a PUBLIC group, any key or signed-in user
also AUTHENTICATED ones, admins also HIDDEN ones; others answer 404). When the site hides targets
(`showTargets` off), anonymous callers get `message` rebuilt from the status, error code and HTTP status
(for example `Not available: connect_refused`), and `details` without the keys that name the target
(`final_url`, `address`, …; image facts such as `digest`, `platforms`, `layerCount` stay).

Newest first. The answer is a plain list, as in the original Kairos; when more results may follow, the
`X-Next-Before` header holds the cursor for the next page and `Link` the next page's URL (`rel="next"`).
`before` takes that cursor (a result id) or an ISO-8601 time."""


def _utc(value: datetime, field: str) -> datetime:
    """``value`` in UTC (naive means UTC); a time that falls off the calendar in UTC is bad input."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise invalid(field, f"{field} is out of range") from None


def _parse_status(value: str | None) -> Status | None:
    if value is None:
        return None
    status = _STATUS_NAMES.get(value.strip().upper())
    if status is None:
        raise invalid("status", "status must be AVAILABLE, NOT_AVAILABLE or UNKNOWN")
    return status


async def _cursor_clause(session: AsyncSession, resource_id: int, before: str) -> Any:
    """Rows strictly older than the cursor: a result id (ties on time broken by id) or a time."""
    r = CheckResult
    if before.isascii() and before.isdigit():
        cursor_id = int(before)
        row = await session.get(CheckResult, cursor_id) if cursor_id <= MAX_BIGINT else None
        if row is None or row.resource_id != resource_id:
            raise invalid("before", "before: no such result of this resource")
        return or_(r.checked_at < row.checked_at, and_(r.checked_at == row.checked_at, r.id < row.id))
    try:
        parsed = datetime.fromisoformat(before.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("before", "before must be a result id or an ISO-8601 time") from None
    return r.checked_at < _utc(parsed, "before")


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
    before: Annotated[str | None, Query(max_length=64, description="Cursor: a result id or a time.")] = None,
    from_: Annotated[datetime | None, Query(alias="from", description="Checked at or after (ISO-8601).")] = None,
    to: Annotated[datetime | None, Query(description="Checked before (ISO-8601).")] = None,
    status: Annotated[str | None, Query(description="AVAILABLE, NOT_AVAILABLE or UNKNOWN.")] = None,
) -> list[HistoryItem]:
    resource = await load_resource(session, resource_id)
    if not can_see_resource(caller, resource):
        raise not_found("resource")
    rid = resource.id
    r = CheckResult
    stmt = select(r).where(r.resource_id == rid)
    if from_ is not None:
        stmt = stmt.where(r.checked_at >= _utc(from_, "from"))
    if to is not None:
        stmt = stmt.where(r.checked_at < _utc(to, "to"))
    if (wanted := _parse_status(status)) is not None:
        stmt = stmt.where(r.status == wanted.value)
    if before:
        stmt = stmt.where(await _cursor_clause(session, rid, before.strip()))
    # Served by ix_check_result_resource_checked; id only breaks ties between equal times.
    stmt = stmt.order_by(r.checked_at.desc(), r.id.desc()).limit(limit)
    rows = (await session.execute(stmt)).scalars().all()
    if len(rows) == limit:
        cursor = str(rows[-1].id)
        response.headers["X-Next-Before"] = cursor
        response.headers["Link"] = _next_link(request, cursor)
    items = [history_item(row) for row in rows]
    if not targets_shown(caller, runtime):
        for item in items:
            item.message = public_message(item.status, item.error_code, item.http_status)
            item.details = public_details(item.details)
    return items
