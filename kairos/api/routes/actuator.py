"""Operations endpoints: Prometheus metrics, health and info (Spring Boot actuator paths), OpenAPI alias."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from kairos import __version__
from kairos.api.deps import RuntimeDep
from kairos.api.schemas.actuator import AppInfo, ComponentHealth, Health, Info
from kairos.metrics import CONTENT_TYPE
from kairos.runtime import Runtime

router = APIRouter(tags=["actuator"])

DB_CHECK_TIMEOUT_S = 2.0
_METRICS_DOC = (
    "Prometheus text format: `kairos_resource_status` (1 available, 0 not available, -1 unknown), "
    "last latency, checks by type and status, check duration, active outages. Public, for scrapers."
)


async def _database(runtime: Runtime) -> ComponentHealth:
    try:
        async with asyncio.timeout(DB_CHECK_TIMEOUT_S), runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure, driver-specific or a timeout, means "down"
        return ComponentHealth(status="DOWN", message=type(exc).__name__)
    return ComponentHealth(status="UP")


def _scheduler(runtime: Runtime) -> ComponentHealth:
    scheduler = runtime.scheduler
    pending = scheduler.recorder.pending
    if not runtime.settings.scheduler_enabled:
        return ComponentHealth(status="DISABLED", pending_results=pending)
    return ComponentHealth(status="UP" if scheduler.alive else "DOWN", pending_results=pending)


def _metrics(runtime: Runtime) -> Response:
    return Response(runtime.metrics.render(), media_type=CONTENT_TYPE)


@router.get(
    "/actuator/prometheus",
    summary="Prometheus metrics",
    description=_METRICS_DOC,
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
async def prometheus(runtime: RuntimeDep) -> Response:
    return _metrics(runtime)


@router.get(
    "/metrics",
    summary="Prometheus metrics (alias)",
    description=_METRICS_DOC,
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
async def metrics(runtime: RuntimeDep) -> Response:
    return _metrics(runtime)


@router.get(
    "/actuator/health",
    summary="Health",
    response_model=Health,
    response_model_exclude_none=True,
    description="Public. UP when the database answers `SELECT 1` within 2 s and the scheduler runs; "
    "otherwise DOWN with HTTP 503.",
    responses={503: {"model": Health, "description": "Down"}},
)
async def health(runtime: RuntimeDep) -> Any:
    components = {"db": await _database(runtime), "scheduler": _scheduler(runtime)}
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
