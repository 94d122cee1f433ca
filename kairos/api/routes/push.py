"""``/api/push/{token}``: pings of PUSH (heartbeat) resources, and their token and last ping
(``/api/resources/{id}/push``, ``/api/resources/{id}/push-token``); docs/push.md.

The ping routes read no credentials: the token is the secret. Unknown tokens answer a plain 404 whatever the
reason; pings are rate-limited per token; the body is read up to a cap; and the access log never shows a token
(a filter on uvicorn's access logger rewrites the path)."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from fastapi.responses import PlainTextResponse

from kairos.api.deps import OPTIONAL_AUTH, CurrentCaller, RequireResourceManage, RuntimeDep, SessionDep
from kairos.api.errors import ApiError, error_responses
from kairos.api.ids import PathId
from kairos.api.schemas.push import PushStatus, PushToken
from kairos.api.schemas.resources import ResourceDetail
from kairos.errors import NotFound
from kairos.runtime import Runtime
from kairos.services import push as svc
from kairos.services import resources as resources_svc

log = logging.getLogger("kairos.api")

router = APIRouter(tags=["push"])

MAX_TOKEN = 100
MAX_PING_BODY = 10_000  # bytes read of a ping's body; more is refused with 413
_TOKEN_IN_PATH = re.compile(r"(/api/push/)[^/?#\s]+")


class _HideTokens(logging.Filter):
    """uvicorn's access log line names the path: the token is replaced by ``…`` there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            path = record.args[2]
            if isinstance(path, str) and "/api/push/" in path:
                record.args = (*record.args[:2], _TOKEN_IN_PATH.sub(r"\1…", path), *record.args[3:])
        return True


HIDE_TOKENS = _HideTokens()
# Installed when the API is mounted (this module is imported by the app factory only); addFilter ignores a repeat.
logging.getLogger("uvicorn.access").addFilter(HIDE_TOKENS)

Token = Annotated[str, Path(description="The resource's push token.")]
StatusParam = Annotated[
    str | None, Query(description="`up` (the default) or `down`; a `down` ping makes the resource NOT_AVAILABLE.")
]
MsgParam = Annotated[str | None, Query(max_length=svc.MAX_MESSAGE, description="A message shown with the result.")]
LatencyParam = Annotated[
    float | None, Query(alias="latencyMs", ge=0, le=86_400_000, description="The job's own run time (ms).")
]

_PING_DOC = (
    "No credentials: the token is the secret. Records the ping as the resource's last one and re-checks it at "
    "once; answers `OK`. 404 for an unknown (or rotated) token, 429 with `Retry-After` beyond 10 pings in a "
    "burst then one every 2 s per token, 413 for a body over 10,000 bytes. The body's first 1,000 characters are "
    "kept (the resource page shows them to admins)."
)


async def _body_excerpt(request: Request) -> str | None:
    if request.method != "POST":
        return None
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_PING_BODY:
        raise ApiError(413, "payload_too_large", f"a ping's body may have at most {MAX_PING_BODY} bytes")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_PING_BODY:
            raise ApiError(413, "payload_too_large", f"a ping's body may have at most {MAX_PING_BODY} bytes")
    return svc.bounded(data.decode("utf-8", "replace"), svc.MAX_BODY_EXCERPT)


def _signal(status: str | None, suffix: str | None) -> svc.Signal:
    if suffix == "start":
        return "start"
    if suffix == "fail":
        return "down"
    value = (status or "up").strip().lower()
    if value in ("up", "ok", "success"):
        return "up"
    if value in ("down", "fail", "failure", "error"):
        return "down"
    raise ApiError(422, "validation_error", "status: must be up or down", "status")


async def _recheck(runtime: Runtime, resource_id: int) -> None:
    """After the answer: the resource is checked at once (in a fleet, every location is asked to)."""
    try:
        await runtime.scheduler.resource_changed(resource_id)
    except Exception as exc:  # the next scheduled check reads the ping anyway
        log.warning("push: cannot re-check resource %d at once: %s", resource_id, type(exc).__name__)


async def _ping(
    request: Request,
    background: BackgroundTasks,
    runtime: Runtime,
    token: str,
    suffix: str | None,
    status: str | None,
    msg: str | None,
    latency_ms: float | None,
) -> PlainTextResponse:
    if len(token) > MAX_TOKEN:  # no token of ours is this long: the same 404 as any unknown one
        raise NotFound.of("push token")
    runtime.push_limits.take(token)
    ping = svc.Ping(
        signal=_signal(status, suffix),
        message=svc.bounded(msg, svc.MAX_MESSAGE),
        latency_ms=latency_ms,
        source=svc.bounded(request.client.host if request.client else None, svc.MAX_SOURCE),
        body=await _body_excerpt(request),
    )
    async with runtime.sessionmaker() as session:
        rid = await svc.record_ping(session, token, ping)
    background.add_task(_recheck, runtime, rid)
    return PlainTextResponse("OK")


def _ping_route(path: str, suffix: str | None, summary: str) -> None:
    async def ping(
        request: Request,
        background: BackgroundTasks,
        runtime: RuntimeDep,
        token: Token,
        status: StatusParam = None,
        msg: MsgParam = None,
        latency_ms: LatencyParam = None,
    ) -> PlainTextResponse:
        return await _ping(request, background, runtime, token, suffix, status, msg, latency_ms)

    for method in ("GET", "POST"):  # one operation each: an OpenAPI operation id names a single method
        _add(path, ping, method, summary)


def _add(path: str, endpoint: Any, method: str, summary: str) -> None:
    router.add_api_route(
        path,
        endpoint,
        methods=[method],
        name=f"ping_{method.lower()}_{path.rsplit('/', 1)[-1].strip('{}')}",
        summary=summary,
        description=_PING_DOC,
        response_class=PlainTextResponse,
        responses=error_responses(404, 413, 422, 429),
    )


_ping_route("/api/push/{token}", None, "Ping a PUSH resource (up, or `status=down`)")
_ping_route("/api/push/{token}/start", "start", "Tell a PUSH resource its job started")
_ping_route("/api/push/{token}/fail", "fail", "Tell a PUSH resource its job failed")


def _base_url(request: Request, runtime: Runtime) -> str:
    return runtime.settings.public_url or str(request.base_url)


@router.post(
    "/api/resources/{resource_id}/push-token",
    summary="Rotate a PUSH resource's token",
    response_model=PushToken,
    description="Needs an admin or an API key with RESOURCE_MANAGE. Issues a new token and shows it this once; "
    "the old one stops working at once (404). 409 `not_push` for a resource of another kind.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def rotate_token(
    resource_id: PathId, request: Request, session: SessionDep, runtime: RuntimeDep, _: RequireResourceManage
) -> PushToken:
    row = await resources_svc.load_resource(session, resource_id)
    token = await svc.rotate_token(session, row)
    return svc.token_answer(row.id, token, _base_url(request, runtime))


def with_token(detail: ResourceDetail, token: str | None, request: Request, runtime: Runtime) -> ResourceDetail:
    """The create or edit answer, with the token it issued (if any): the only time it is shown."""
    if token is not None:
        detail.push = svc.token_answer(detail.id, token, _base_url(request, runtime))
    return detail


@router.get(
    "/api/resources/{resource_id}/push",
    openapi_extra=OPTIONAL_AUTH,
    summary="Read a PUSH resource's last ping",
    response_model=PushStatus,
    description="Whoever may see the resource (group visibility, docs/access.md); the source address and body "
    "excerpt only for admins and API keys with RESOURCE_MANAGE. 404 for a resource of another kind.",
    responses=error_responses(401, 404, 422),
)
async def push_status(resource_id: PathId, session: SessionDep, caller: CurrentCaller) -> PushStatus:
    row = await resources_svc.load_resource(session, resource_id)
    found = await svc.last_ping(session, caller, row)
    if found is None:
        raise NotFound.of("push resource")
    return found
