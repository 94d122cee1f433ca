"""Reading tools: resources, their current status, uptime, latency, history and what is down (STATUS_READ).

Each answers what the matching REST route answers, through the same services and views:
``GET /api/resources``, ``/api/resources/{id}``, ``/uptime``, ``/latency-samples``, ``/history``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.redaction import public_details, public_message, targets_shown
from kairos.api.schemas.history import HistoryItem
from kairos.api.schemas.resources import ResourceDetail, ResourcePublic
from kairos.api.schemas.status import LatencySample, Uptime
from kairos.api.views import audience_of, history_item, latency_public, resource_detail, resource_public
from kairos.auth.scopes import Scope
from kairos.errors import Invalid
from kairos.mcp.context import current_caller
from kairos.mcp.models import HistoryPage, LatestResult, ResourceStatus, StatusSummary
from kairos.mcp.summary import status_summary
from kairos.mcp.tools.common import ResourceId, visible_resource
from kairos.rollups.latency import latency_samples
from kairos.runtime import Runtime
from kairos.services import history, tags
from kairos.services import resource_paging as paging
from kairos.services.history import HistoryFilter
from kairos.services.resource_listing import Listing

if TYPE_CHECKING:
    from kairos.mcp.server import KairosMCP

MAX_PAGE_SIZE = 200
MAX_SKIPPED = 10_000  # page x pageSize: how far back a page may start (each page reads the ones before it)

StatusFilter = Annotated[
    Literal["AVAILABLE", "NOT_AVAILABLE", "UNKNOWN", "MAINTENANCE"] | None,
    Field(description="Only results with this status; leave out for all."),
]
Page = Annotated[int, Field(ge=0, description="0 is the newest page, 1 the one before it, and so on.")]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE, description="Results per page, 1 to 200.")]
TagArg = Annotated[
    str | None, Field(max_length=200, description="key:value, e.g. env:prod: only resources carrying this tag.")
]
TextArg = Annotated[str | None, Field(max_length=200, description="Only those whose name (or target) contains this.")]
ListStatus = Annotated[
    str | None,
    Field(max_length=100, description="AVAILABLE, NOT_AVAILABLE, UNKNOWN, MAINTENANCE or FAILING; comma-separated."),
]
ListPageSize = Annotated[
    int | None, Field(ge=1, le=MAX_PAGE_SIZE, description="Resources per page, 1 to 200; leave out for all.")
]
Hours = Annotated[Literal[24, 168, 720], Field(description="Window: 24 (a day), 168 (7 days) or 720 (30 days).")]


def register(server: KairosMCP, runtime: Runtime) -> None:
    read = server.kairos_tool(Scope.STATUS_READ, read_only=True)

    @read
    async def listResources(
        tag: TagArg = None,
        q: TextArg = None,
        status: ListStatus = None,
        page: Page = 0,
        pageSize: ListPageSize = None,
    ) -> list[ResourcePublic]:
        """List the monitored resources (id, name, type, target, groups, active, tags) this key may see, by
        display order then name; filters combine: ``tag`` (key:value), ``q`` (name or target contains),
        ``status``. With ``pageSize`` one page (``page`` 0 first), else all of them."""
        caller = current_caller()
        audience = audience_of(caller, runtime.site.show_targets)
        listing = Listing(
            q=q or "", tag=tags.parse_filter(tag) if tag is not None else None, targets=audience.targets, sort="order"
        )
        wanted = paging.parse_statuses(status)
        window = (page * pageSize, pageSize) if pageSize is not None else (0, None)
        async with runtime.sessionmaker() as session:
            found = await paging.resource_slice(session, caller, listing, wanted, runtime.board.states, window)
        return [resource_public(r, audience) for r in found.rows]

    @read
    async def getResource(resourceId: ResourceId) -> ResourceDetail:
        """Read one resource: its configuration and its current status with the latest check."""
        caller = current_caller()
        async with runtime.sessionmaker() as session:
            row = await visible_resource(session, caller, resourceId)
        audience = audience_of(caller, runtime.site.show_targets)
        return resource_detail(row, runtime.board.state(row.id), audience, runtime.board.locations_of(row.id))

    @read
    async def getResourceStatus(resourceId: ResourceId) -> ResourceStatus:
        """Current status of one resource: available or not, open outage, uptime 24h/7d/30d, latest check."""
        caller = current_caller()
        async with runtime.sessionmaker() as session:
            row = await visible_resource(session, caller, resourceId)
        detail = resource_detail(row, runtime.board.state(row.id), audience_of(caller, runtime.site.show_targets))
        windows = runtime.board.uptime_of(row.id)
        latest = None
        if detail.latest_check_status is not None:
            latest = LatestResult(
                status=detail.latest_check_status,
                checked_at=detail.latest_checked_at,
                message=detail.latest_message,
                error_code=detail.latest_error_code,
                latency_ms=detail.latest_latency_ms,
                http_status=detail.latest_http_status,
            )
        return ResourceStatus(
            resource_id=row.id,
            name=row.name,
            current_status=detail.current_status,
            active_outage_since=detail.active_outage_since,
            uptime=Uptime(h24=windows["h24"], d7=windows["d7"], d30=windows["d30"]),
            latest=latest,
            certificate=detail.certificate,  # null for callers that may not see the target, as in the API
        )

    @read
    async def getUptime(resourceId: ResourceId) -> Uptime:
        """Uptime of one resource in percent over 24 hours, 7 days and 30 days (null: nothing checked)."""
        async with runtime.sessionmaker() as session:
            row = await visible_resource(session, current_caller(), resourceId)
        windows = runtime.board.uptime_of(row.id)
        return Uptime(h24=windows["h24"], d7=windows["d7"], d30=windows["d30"])

    @read
    async def getLatency(resourceId: ResourceId, hours: Hours = 24) -> list[LatencySample]:
        """Latency of one resource over a window, averaged per slot, oldest first (at most 500 points)."""
        async with runtime.sessionmaker() as session:
            row = await visible_resource(session, current_caller(), resourceId)
            samples = await latency_samples(session, row.id, hours, time.time(), runtime.board.blocks)
        return latency_public(samples)

    @read
    async def getCheckHistory(
        resourceId: ResourceId, status: StatusFilter = None, page: Page = 0, pageSize: PageSize = 50
    ) -> HistoryPage:
        """Check results of one resource, newest first, a page at a time, optionally only one status."""
        caller = current_caller()
        async with runtime.sessionmaker() as session:
            row = await visible_resource(session, caller, resourceId)
            items = await _history_page(session, row.id, status, page, pageSize)
        if not targets_shown(caller, runtime):
            for item in items:
                item.message = public_message(item.status, item.error_code, item.http_status)
                item.details = public_details(item.details)
        return HistoryPage(
            resource_id=row.id, page=page, page_size=pageSize, has_more=len(items) == pageSize, items=items
        )

    @read
    async def whatIsDown() -> StatusSummary:
        """What is down or failing right now and since when, with counts of available and unknown resources."""
        async with runtime.sessionmaker() as session:
            return await status_summary(session, runtime, current_caller())


async def _history_page(
    session: AsyncSession, resource_id: int, status: str | None, number: int, size: int
) -> list[HistoryItem]:
    """Page ``number`` of the history. The service pages with a cursor, so the results before the page are
    walked through first, at most MAX_SKIPPED of them: a bounded read whatever a caller asks."""
    skipped = number * size
    if skipped > MAX_SKIPPED:
        raise Invalid(f"page: page x pageSize may be at most {MAX_SKIPPED}", field="page")
    cursor = None
    if skipped:
        _, cursor = await history.page(session, resource_id, HistoryFilter(limit=skipped, status=status))
        if cursor is None:
            return []
    rows, _ = await history.page(session, resource_id, HistoryFilter(limit=size, before=cursor, status=status))
    return [history_item(r) for r in rows]
