"""``/outages``: open outages with a live "down since", then closed ones, filtered by resource and dates; and
``/admin/outages/{id}/delete``, an admin's deletion of a closed one (a confirmation page, then a POST)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kairos.access.visibility import hidden_query
from kairos.api.deps import SessionDep
from kairos.api.ids import PageId
from kairos.errors import Conflict, NotFound
from kairos.services import outages as svc
from kairos.web import outages_data as data
from kairos.web.deps import AdminPage, CheckedForm, PageCaller, PageError, Redirect
from kairos.web.resource_data import parse_cursor, parse_day
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

Param = Annotated[str | None, Query(max_length=40)]


def _resource_id(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise PageError(400, "Pick a resource from the list.")
    return int(value)


@router.get("/outages", response_class=HTMLResponse)
async def outages_page(
    request: Request,
    caller: PageCaller,
    session: SessionDep,
    resource: Param = None,
    from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    to: Param = None,
    before: Param = None,
    after: Param = None,
    deleted: Param = None,
) -> HTMLResponse:
    rid = _resource_id(resource)
    start, end = parse_day(from_, "from"), parse_day(to, "to")
    hidden = await data.hidden_ids(session, caller)
    if rid in hidden:
        rid = -1  # a resource this caller may not see has, for them, no outages; nothing says it exists
    page = await data.past_outages(
        session, hidden, rid, start, end, before=parse_cursor(before), after=parse_cursor(after)
    )
    query = {"resource": resource or "", "from": from_ or "", "to": to or ""}
    return render(
        request,
        "outages.html",
        active=await data.active_outages(session, hidden, rid),
        active_limit=data.ACTIVE_SHOWN,
        past=page.rows,
        older_url=_url(query, before=page.older) if page.older else None,
        newer_url=_url(query, after=page.newer) if page.newer else None,
        newest_url=_url(query) if before or after else None,
        choices=await data.resource_choices(session, hidden),
        selected=rid,
        start=start,
        end=end,
        filtered=bool(rid or start or end),
        now=datetime.now(UTC),
        deleted=deleted is not None,
    )


def _url(query: dict[str, str], **cursor: int | None) -> str:
    params = {k: str(v) for k, v in {**query, **cursor}.items() if v not in (None, "")}
    return "/outages?" + urlencode(params) + "#past" if params else "/outages#past"


_ACTIVE = "This outage is still active: it ends when the resource recovers (or delete the resource)."


@router.get("/admin/outages/{outage_id}/delete", response_class=HTMLResponse)
async def delete_confirm(
    request: Request, caller: AdminPage, session: SessionDep, outage_id: PageId, back: Param = None
) -> HTMLResponse:
    """The confirmation step, a page of its own so that it works without JavaScript."""
    try:
        outage, name = await svc.find_outage(session, outage_id, hidden_query(caller))
    except NotFound:
        raise PageError(404, "There is no such outage.") from None
    if outage.ended_at is None:
        raise PageError(409, _ACTIVE)
    return render(
        request, "admin/outage_delete.html", outage=outage, name=name, back="resource" if back == "resource" else ""
    )


@router.post("/admin/outages/{outage_id}/delete")
async def delete_outage(caller: AdminPage, form: CheckedForm, session: SessionDep, outage_id: PageId) -> None:
    try:
        gone = await svc.delete_outage(session, outage_id, hidden_query(caller), caller)
    except NotFound:
        raise PageError(404, "There is no such outage.") from None
    except Conflict:
        raise PageError(409, _ACTIVE) from None
    query = {"deleted": "1"}
    if form.get("back") == "resource":  # deleted from the resource page: back to that resource's outages
        query = {"resource": str(gone.resource_id), **query}
    raise Redirect("/outages?" + urlencode(query) + "#past")
