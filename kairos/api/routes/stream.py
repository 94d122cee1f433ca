"""``GET /api/resources/stream``: Server-Sent Events with every resource's new results, for the dashboard.

Results are coalesced: at most one ``status`` message per ~second, carrying the latest state of each
resource that changed. A ``: heartbeat`` comment every 15 s keeps proxies from closing an idle stream.
Streams end by themselves at shutdown and after 30 minutes (the browser reconnects after ``retry``), so
the caller's credentials are re-checked regularly. What a subscriber who is not an admin may see (group
visibility, docs/access.md) is read at connect, again as soon as an id it does not know shows up (a new
resource), and every ``VISIBILITY_RECHECK_S`` seconds (a group's visibility or members changed)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from kairos.access.visibility import ADMIN, caller_level, hidden_ids
from kairos.api.deps import OPTIONAL_AUTH, Caller, CurrentCaller, RuntimeDep, SessionDep
from kairos.api.errors import error_responses
from kairos.live_events import Subscription
from kairos.runtime import Runtime
from kairos.services.resources import ordered_ids
from kairos.web.dashboard_data import live_update
from kairos.web.dashboard_live import MAX_GROUPS, ROWS_BOUND, Scope, parse_groups

router = APIRouter(prefix="/api/resources", tags=["status"])

RETRY_MS = 3000
COALESCE_S = 1.0
HEARTBEAT_S = 15.0
MAX_LIFETIME_S = 1800.0
VISIBILITY_RECHECK_S = 30.0
SCOPED_LIMIT = 10_000_000

_DESCRIPTION = """Public. Each subscriber gets only the resources it may see by group visibility
(docs/access.md), re-checked when a new resource shows up and every 30 seconds. A `text/event-stream`:

- first `retry: 3000` (reconnect after 3 s);
- `event: status` with `data:` a JSON array, one object per resource with a new result since the last
  message (at most one message per second): `resourceId`, `status` (available / not-available / unknown),
  `checkedAt`, `latencyMs`, `message`, `outageSince` (null when not in an outage), `uptime` (`h24`, `d7`,
  `d30`), `block` (`index` 95 of the 24-hour timeline, its `start` in epoch seconds and its `status`
  letter: A available, N not available, U unknown, - no data) and `blockLatencyMs`;
- `event: resync` when the client fell too far behind: re-read `/api/resources/status-updates`;
- a `: heartbeat` comment every 15 s.

Scoped (what the status board uses above its collapse threshold, docs/dashboard.md): with `groups=1,7,none`
the `status` messages carry only resources of those groups (`none`: the resources in no group), resources
not available now, and those last sent as not available (to show them recover); an empty `groups=` sends only
the latter. With `summary=true`, an `event: summary` comes first and then after each change of the counts:
`{"total": {"total", "up", "down", "unknown", "failing", "maintenance"}, "groups": {"<id or none>": {…}}}`,
each group only when its counts changed. When more than 500 rows are due at once the stream sends `resync`
instead: re-read the page and the open groups.

The stream ends at server shutdown and after 30 minutes; EventSource reconnects by itself."""


class _Visibility:
    """What a subscriber who is not an admin may see: re-read when an id it has not seen yet shows up, and
    every ``VISIBILITY_RECHECK_S`` (an admin may have hidden a group meanwhile). One query pair per refresh,
    not one per result; the connection is held only for the refresh."""

    def __init__(self, runtime: Runtime, caller: Caller) -> None:
        self._runtime = runtime
        self._caller = caller
        self._known: set[int] = set()
        self._hidden: set[int] = set()
        self._read_at = 0.0

    async def refresh(self) -> None:
        async with self._runtime.sessionmaker() as session:
            self._known = set(await ordered_ids(session))
            self._hidden = await hidden_ids(session, self._caller)
        self._read_at = time.monotonic()

    async def allowed(self, ids: set[int]) -> set[int]:
        if not ids <= self._known or time.monotonic() - self._read_at >= VISIBILITY_RECHECK_S:
            await self.refresh()
        return {i for i in ids if i in self._known and i not in self._hidden}


def _server_closing(request: Request, keep_alive_at_start: bool) -> bool:
    """uvicorn waits for open responses before it runs the lifespan shutdown, and tells the application
    nothing; what it does do is mark each in-flight request cycle ``keep_alive = False``. Watching that flag
    lets a stream end so that shutdown completes."""
    cycle = getattr(request.receive, "__self__", None)
    return keep_alive_at_start and getattr(cycle, "keep_alive", True) is False


def _message(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _events(
    request: Request, runtime: Runtime, sub: Subscription, caller: Caller, scope: Scope | None
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    started = last_sent = loop.time()
    cycle = getattr(request.receive, "__self__", None)
    keep_alive_at_start = getattr(cycle, "keep_alive", False) is True
    visibility = None if scope is not None or caller_level(caller) >= ADMIN else _Visibility(runtime, caller)
    if visibility is not None:
        await visibility.refresh()
    yield f"retry: {RETRY_MS}\n: connected\n\n"
    first = scope is not None
    while True:
        if not first:
            await sub.wait(1.0)  # wakes at least every second to notice shutdown
        if sub.closed or _server_closing(request, keep_alive_at_start) or loop.time() - started > MAX_LIFETIME_S:
            return
        ids, overflowed = sub.take()
        if overflowed:
            yield _message("resync", {})
            last_sent = loop.time()
        if visibility is not None and ids:
            ids = await visibility.allowed(ids)
        counts = None
        if scope is not None and (ids or first or scope.due):
            counts = await scope.summary()
            ids = await scope.rows(ids) if ids else ids
            if len(ids) > ROWS_BOUND:  # behind by more than a page shows: re-read it instead of replaying
                ids = set()
                yield _message("resync", {})
        first = False
        now = time.time()
        reveal = caller.authenticated or runtime.site.show_targets
        updates = [u for u in (live_update(runtime, rid, now, reveal) for rid in sorted(ids)) if u is not None]
        if counts is not None:
            yield _message("summary", counts)
            last_sent = loop.time()
        if updates:
            yield _message("status", updates)
            last_sent = loop.time()
        if updates or counts is not None:
            await asyncio.sleep(COALESCE_S)  # let the next results pile up into one message
        elif loop.time() - last_sent >= HEARTBEAT_S:
            yield ": heartbeat\n\n"
            last_sent = loop.time()


async def _subscribed(request: Request, runtime: Runtime, caller: Caller, scope: Scope | None) -> AsyncIterator[str]:
    # A scoped subscriber filters what it sends and bounds that (ROWS_BOUND): the ids it is told of need no
    # bound of their own beyond the number of resources.
    with runtime.events.subscribe(SCOPED_LIMIT if scope is not None else None) as sub:
        async for chunk in _events(request, runtime, sub, caller, scope):
            yield chunk


@router.get(
    "/stream",
    openapi_extra=OPTIONAL_AUTH,
    summary="Live results of every resource (Server-Sent Events)",
    description=_DESCRIPTION,
    response_class=StreamingResponse,
    responses={
        200: {"description": "An event stream.", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
        **error_responses(401),
    },
)
async def stream(
    request: Request,
    runtime: RuntimeDep,
    caller: CurrentCaller,
    session: SessionDep,
    groups: str | None = Query(
        None,
        max_length=4000,
        description="Scoped: rows only of these groups' members (ids, `none` for the resources in no group; at "
        f"most {MAX_GROUPS}) and of resources not available; see the description.",
    ),
    summary: bool = Query(False, description="Also `summary` events: counts overall and per group."),
) -> StreamingResponse:
    scope = None
    if groups is not None or summary:
        scope = Scope(runtime, caller, parse_groups(groups or ""), summary)
    # The caller is known; give the database connection back instead of holding it for the whole stream.
    await session.close()
    return StreamingResponse(
        _subscribed(request, runtime, caller, scope),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
