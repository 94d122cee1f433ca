"""Operations endpoints: Prometheus metrics, health and info (Spring Boot actuator paths), OpenAPI alias.

Metrics list every resource, whatever its groups' visibility: they are for the operators who run Kairos
(their Prometheus, their alerts), and a scraper has no group to belong to. Whoever may be shown resource
names that the status page hides decides with ``KAIROS_METRICS_REQUIRE_KEY`` (docs/access.md). Health and
info stay open in every mode: load balancers and orchestrators probe them without credentials."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import insert, text

from kairos import __version__
from kairos.api.deps import OPTIONAL_AUTH, Caller, CurrentCaller, RuntimeDep, unauthorized
from kairos.api.errors import ApiError, error_responses
from kairos.api.schemas.actuator import AppInfo, ComponentHealth, Health, Info
from kairos.auth.scopes import Scope
from kairos.db.models import Setting
from kairos.metrics import CONTENT_TYPE
from kairos.metrics_options import scrape_of
from kairos.runtime import Runtime

router = APIRouter(tags=["actuator"])

DB_CHECK_TIMEOUT_S = 2.0
HEALTH_CACHE_S = 2.0  # how long one database check answers for
WRITE_PROBE_KEY = "kairos.health.write-probe"  # inserted and rolled back, never stored
_METRICS_DOC = (
    "Prometheus text format: `kairos_resource_status` (1 available, 0 not available, -1 unknown), "
    "last latency, checks by type and status, check duration, active outages. Every resource is listed, "
    "whatever its groups' visibility: metrics are for operators. Open by default; with "
    "`KAIROS_METRICS_REQUIRE_KEY=true` it needs an API key with `STATUS_READ` (the READ preset) or an admin's "
    "credentials, and with "
    "`KAIROS_ACCESS_MODE=private` any key or signed-in user. Counts by status in total and per group always; "
    "per-resource series as `KAIROS_METRICS_RESOURCE_SERIES`, `KAIROS_METRICS_LATENCY`, `KAIROS_METRICS_GROUPS` "
    "and `KAIROS_METRICS_TAGS` allow (docs/metrics.md). Gzipped when the scraper accepts it."
)
GroupParam = Annotated[
    list[str] | None,
    Query(
        description="Only these groups (repeat it): their members' series and their counts; 422 for a group "
        "that does not exist. Splits a large install over several scrape jobs."
    ),
]
NameParam = Annotated[
    list[str] | None,
    Query(alias="name[]", description="Only the series of these names (repeat it), as prometheus_client's."),
]


async def metrics_reader(caller: CurrentCaller, runtime: RuntimeDep) -> Caller:
    """Who may scrape. ``current_caller`` has already refused anonymous callers of a private Kairos."""
    if not runtime.settings.metrics_require_key:
        return caller
    if not caller.authenticated:
        raise unauthorized("metrics need an API key (KAIROS_METRICS_REQUIRE_KEY is on)")
    if not (caller.is_admin or (caller.kind == "api_key" and caller.has(Scope.STATUS_READ))):
        raise ApiError(403, "forbidden", "metrics need an admin or an API key with STATUS_READ")
    return caller


MetricsReader = Annotated[Caller, Depends(metrics_reader)]
_METRICS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {}}},
    **error_responses(401, 403, 422),
}


class DatabaseHealth:
    """Whether the database answers and accepts writes, asked at most once per ``HEALTH_CACHE_S``.

    ``SELECT 1`` alone says UP while every write fails (a read-only file or volume, a full disk, a lock someone
    holds, a PostgreSQL hot standby or a read-only role): Kairos then loses every result. So the check also
    inserts a row and rolls it back; nothing is ever stored. The answer is shared for a moment, and one check runs
    at a time, so a health hammer costs the database one small transaction every couple of seconds."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.lock = asyncio.Lock()
        self.checked_at = -HEALTH_CACHE_S
        self.last = ComponentHealth(status="UP")

    async def get(self) -> ComponentHealth:
        async with self.lock:
            now = time.monotonic()
            if now - self.checked_at >= HEALTH_CACHE_S:
                self.last = await self._check()
                self.checked_at = time.monotonic()
            return self.last

    async def _check(self) -> ComponentHealth:
        step = "reads"
        try:
            async with asyncio.timeout(DB_CHECK_TIMEOUT_S), self.runtime.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                step = "writes"
                try:
                    await conn.execute(insert(Setting).values(key=WRITE_PROBE_KEY, value={}))
                finally:
                    await conn.rollback()
        except Exception as exc:  # any failure, driver-specific or a timeout, means "down"
            # The exception's name only: its text may hold paths or addresses, and health is public.
            return ComponentHealth(status="DOWN", message=f"the database {_FAILS[step]} ({type(exc).__name__})")
        return ComponentHealth(status="UP")


_FAILS = {"reads": "does not answer", "writes": "does not accept writes"}


def _database_health(request: Request, runtime: Runtime) -> DatabaseHealth:
    state = request.app.state
    if getattr(state, "database_health", None) is None:
        state.database_health = DatabaseHealth(runtime)
    health: DatabaseHealth = state.database_health
    return health


def _listener(runtime: Runtime) -> ComponentHealth:
    """A web node: its board follows the fleet through LISTEN/NOTIFY; without the connection it goes stale."""
    if runtime.scheduler.alive:
        return ComponentHealth(status="UP", message="listening for the fleet's results")
    return ComponentHealth(status="DOWN", message="not listening for the fleet's results (reconnecting)")


def _scheduler(runtime: Runtime) -> ComponentHealth:
    scheduler = runtime.scheduler
    pending = scheduler.recorder.pending
    if not runtime.settings.scheduler_enabled:
        return ComponentHealth(status="DISABLED", pending_results=pending)
    return ComponentHealth(status="UP" if scheduler.alive else "DOWN", pending_results=pending)


async def _metrics(request: Request, runtime: Runtime, groups: list[str] | None, names: list[str] | None) -> Response:
    scrape = scrape_of(groups or [], names or [], request.headers.get("accept-encoding", ""))
    runtime.metrics.configure(runtime.settings)
    body = await runtime.metrics.scrape(scrape, runtime.sessionmaker)
    headers = {"Vary": "Accept-Encoding"}
    if scrape.gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=CONTENT_TYPE, headers=headers)


@router.get(
    "/actuator/prometheus",
    summary="Prometheus metrics",
    description=_METRICS_DOC,
    response_class=Response,
    responses=_METRICS_RESPONSES,
    openapi_extra=OPTIONAL_AUTH,
)
async def prometheus(
    request: Request, runtime: RuntimeDep, _: MetricsReader, group: GroupParam = None, names: NameParam = None
) -> Response:
    return await _metrics(request, runtime, group, names)


@router.get(
    "/metrics",
    summary="Prometheus metrics (alias)",
    description=_METRICS_DOC,
    response_class=Response,
    responses=_METRICS_RESPONSES,
    openapi_extra=OPTIONAL_AUTH,
)
async def metrics(
    request: Request, runtime: RuntimeDep, _: MetricsReader, group: GroupParam = None, names: NameParam = None
) -> Response:
    return await _metrics(request, runtime, group, names)


@router.get(
    "/actuator/health",
    summary="Health",
    response_model=Health,
    response_model_exclude_none=True,
    description="Public. UP when the database answers and accepts a write (a row inserted and rolled back) "
    "within 2 s, and the scheduler runs (on a fleet web node: the `listener` component, UP while it listens "
    "for the workers' results); otherwise DOWN with HTTP 503 and the failing component's `message`. "
    "The database check is shared for 2 s.",
    responses={503: {"model": Health, "description": "Down"}},
)
async def health(request: Request, runtime: RuntimeDep) -> Any:
    components = {"db": await _database_health(request, runtime).get()}
    if runtime.settings.role == "web":
        components["listener"] = _listener(runtime)
    else:
        components["scheduler"] = _scheduler(runtime)
    up = all(c.status != "DOWN" for c in components.values())
    body = Health(status="UP" if up else "DOWN", components=components)
    if up:
        return body
    return JSONResponse(body.model_dump(mode="json", by_alias=True, exclude_none=True), status_code=503)


@router.get("/actuator/info", summary="Version", response_model=Info, description="Public.")
async def info() -> Info:
    return Info(app=AppInfo(name="kairos", version=__version__))


@router.get("/openapi.json", include_in_schema=False)
async def openapi_alias(request: Request) -> JSONResponse:
    """The OpenAPI document also under its usual FastAPI path (canonical: ``/v3/api-docs``)."""
    return JSONResponse(request.app.openapi())
