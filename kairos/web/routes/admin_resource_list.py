"""``/admin/resources``: the console's list of resources, paged and filtered on the server.

The service (kairos/services/resource_listing.py) filters in SQL and loads only the page's rows, so the page
costs the same at 100 and at 100,000 resources; every filter, the sort, the page and its size live in the query
string (kairos/web/resource_query.py). USERs open this page too: the API's visibility rule decides what they
see (a HIDDEN resource, or a HIDDEN group's name, never reaches them), not a rule of this page's own."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_group, can_see_resource
from kairos.api.deps import Caller, RuntimeDep, SessionDep
from kairos.db.models import Resource, ResourceGroup
from kairos.naming import natural_sorted
from kairos.services import resource_listing as listing
from kairos.services import resources as svc
from kairos.services.tags import all_tags
from kairos.web import resource_forms as rf
from kairos.web.deps import UserPage
from kairos.web.resource_query import PAGE_SIZES, SORT_LABELS, STATUSES, ListQuery, back_to_list
from kairos.web.routes.admin_resource_actions import bulk_notice
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)


def _groups_of(caller: Caller, row: Resource) -> list[ResourceGroup]:
    """The resource's groups this caller may see, by name (a PUBLIC member never names its HIDDEN group)."""
    shown = [m.group for m in row.memberships if can_see_group(caller, m.group.visibility)]
    return natural_sorted(shown, name=lambda g: g.name)


async def _named(session: AsyncSession, caller: Caller, resource_id: int | None) -> Resource | None:
    """The resource a notice names (just added, saved or checked), if it exists and the caller may see it."""
    if resource_id is None:
        return None
    rows = await listing.load_in_order(session, [resource_id])
    return rows[0] if rows and can_see_resource(caller, rows[0]) else None


async def _notice(
    session: AsyncSession, caller: Caller, created: int | None, updated: int | None, deleted: str, bulk: str, n: str
) -> str:
    if bulk:
        return bulk_notice(bulk[:40], n[:8])
    if deleted:
        return f"Deleted {deleted[:200]}."
    if (row := await _named(session, caller, created)) is not None:
        return f"Added {row.name}."
    if (row := await _named(session, caller, updated)) is not None:
        return f"Saved {row.name}."
    return ""


def _pager(query: ListQuery, page: listing.ResourcePage) -> dict[str, Any]:
    """First, previous, next and last page links (None where there is no such page)."""
    before, after = page.page > 1, page.page < page.pages
    return {
        "first": query.url(page=1) if before else None,
        "prev": query.url(page=page.page - 1) if before else None,
        "next": query.url(page=page.page + 1) if after else None,
        "last": query.url(page=page.pages) if after else None,
    }


@router.get("/admin/resources")
async def resource_list(
    request: Request,
    caller: UserPage,
    session: SessionDep,
    runtime: RuntimeDep,
    checked: int | None = None,
    created: int | None = None,
    updated: int | None = None,
    deleted: str = "",
    bulk: str = "",
    n: str = "",
) -> Response:
    query = ListQuery.parse(request.query_params)
    states = runtime.board.states
    page = await listing.resource_page(session, caller, query.listing(), states, query.page, query.size)
    query = replace(query, page=page.page)  # a page past the end shows the last one
    items = [
        {
            "row": r,
            "status": listing.status_of(states.get(r.id)),
            "state": states.get(r.id),
            "groups": _groups_of(caller, r),
        }
        for r in page.rows
    ]
    shown = await _named(session, caller, checked)
    groups, _ = await svc.references(session)
    return render(
        request,
        "admin/resources.html",
        items=items,
        page=page,
        pager=_pager(query, page),
        query=query,
        filters=query,
        kinds=rf.kind_labels(),
        statuses=STATUSES,
        sorts=SORT_LABELS,
        sizes=PAGE_SIZES,
        tags=await all_tags(session),
        checked={"row": shown, "state": states.get(shown.id)} if shown else None,
        notice=await _notice(session, caller, created, updated, deleted, bulk, n),
        list_url=back_to_list({"back": query.url()}),  # not "here": the console's layout has a "here" of its own
        groups=natural_sorted([g for g in groups if can_see_group(caller, g.visibility)], name=lambda g: g.name),
    )
