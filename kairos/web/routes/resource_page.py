"""``/resources/{id}``: one resource's status, uptime, latency chart, check history, outages and, for images,
the digest and its changes. Works without JavaScript except for the chart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_resource
from kairos.api.deps import Caller, RuntimeDep, SessionDep
from kairos.api.redaction import public_message, targets_shown
from kairos.db.models import Resource
from kairos.errors import NotFound
from kairos.history.codec import StoredResult
from kairos.probes.base import Status
from kairos.probes.kinds import spec_of
from kairos.services.push import last_ping
from kairos.services.resources import load_resource
from kairos.web import resource_data as data
from kairos.web.deps import PageCaller, PageError
from kairos.web.location_data import location_rows
from kairos.web.maintenance_marks import chart_spans
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

Param = Annotated[str | None, Query(max_length=40)]


def _kind_name(kind: str) -> str:
    """The kind's short name on its page (its spec's ``page_name``); a kind no longer registered as stored."""
    try:
        return spec_of(kind).page_name
    except ValueError:
        return kind


async def visible_resource(session: AsyncSession, caller: Caller, raw_id: str) -> Resource:
    """The resource, or the 404 page when there is none or the caller may not see it (no difference shown)."""
    rid = int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 12 else 0
    try:
        row: Resource | None = await load_resource(session, rid)
    except NotFound:
        row = None
    if row is None or not can_see_resource(caller, row):
        raise PageError(404, "There is no such resource.")
    return row


def _message(row: StoredResult, targets: bool) -> str:
    return row.message if targets else public_message(row.status, row.error_code, row.http_status)


@router.get("/resources/{resource_id}", response_class=HTMLResponse)
async def resource_page(
    request: Request,
    resource_id: str,
    caller: PageCaller,
    session: SessionDep,
    runtime: RuntimeDep,
    status: Param = None,
    from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    to: Param = None,
    before: Param = None,
    after: Param = None,
) -> HTMLResponse:
    resource = await visible_resource(session, caller, resource_id)
    targets = targets_shown(caller, runtime)
    f = data.HistoryFilter(
        status=data.parse_status(status),
        start=data.parse_day(from_, "from"),
        end=data.parse_day(to, "to"),
        before=data.parse_cursor(before),
        after=data.parse_cursor(after),
    )
    page = await data.history_page(session, resource.id, f)
    base = f"/resources/{resource.id}"
    return render(
        request,
        "resource.html",
        resource=resource,
        kind_name=_kind_name(resource.kind),
        summary=data.summary(runtime, resource.id, targets),
        certificate=data.certificate_card(runtime, resource.id, targets),
        locations=await location_rows(session, runtime, resource.id, targets),
        history=[(row, _message(row, targets)) for row in page.rows],
        older_url=_url(base, f.query(before=page.older)) if page.older else None,
        newer_url=_url(base, f.query(after=page.newer)) if page.newer else None,
        newest_url=_url(base, f.query()) if f.before or f.after else None,
        filters=f,
        statuses=[(s.value, data.STATUS_WORD[s]) for s in Status],
        outages=await data.recent_outages(session, resource.id),
        image=await data.image_facts(session, runtime, resource.id) if spec_of(resource.kind).tracks_digest else None,
        now=datetime.now(UTC),
        maintenance=await chart_spans(session, resource.id, datetime.now(UTC)),
        push=await last_ping(session, caller, resource),
    )


def _url(base: str, params: dict[str, str]) -> str:
    return f"{base}?{urlencode(params)}#history" if params else f"{base}#history"
