"""A worker's small HTTP listener on ``KAIROS_WORKER_PORT``: health for Kubernetes probes, metrics for Prometheus.

A worker serves no pages and no API; this is all it answers:

- ``GET /actuator/health``: 200 ``{"status": "UP", "components": …}`` while the checking loop runs and the
  database answers, else 503 ``DOWN`` with the failing component's ``message`` (the actuator shape of the web
  process, so the same probes work for both roles);
- ``GET /metrics`` and ``GET /actuator/prometheus``: the Prometheus text of the worker's registry;
- anything else: 404 (JSON, like the API's errors).

Both answers come from callables of the worker (kairos.fleet.worker), read on every request: the listener holds
no state of its own. uvicorn serves it inside the worker's event loop; signals stay the worker's to handle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kairos.auth.throttle import LoginThrottle
from kairos.metrics import CONTENT_TYPE
from kairos.settings import Settings

log = logging.getLogger("kairos.fleet")


class ListenerError(Exception):
    """The listener cannot start (its port is taken, its address unknown); one line, naming the variable."""


@dataclass(frozen=True, slots=True)
class WorkerHealth:
    """What the worker reports about itself, at the moment of the request."""

    checking: bool  # the checking loop (claims, probes, the recorder's flush) runs
    database: bool  # the database answered the last time the worker asked (heartbeat, claim, flush)
    leader: bool  # runs the fleet's singleton jobs right now
    pending_results: int  # results waiting to be written
    database_message: str = ""  # why the database is counted down


def health_body(health: WorkerHealth, settings: Settings) -> tuple[int, dict[str, Any]]:
    """The status code and body of ``/actuator/health``."""
    db: dict[str, Any] = {"status": "UP" if health.database else "DOWN"}
    if not health.database:
        db["message"] = health.database_message or "the database does not answer"
    checks: dict[str, Any] = {"status": "UP" if health.checking else "DOWN", "pendingResults": health.pending_results}
    if not health.checking:
        checks["message"] = "the checking loop is not running"
    components = {
        "db": db,
        "scheduler": checks,
        "leadership": {"status": "UP", "leader": health.leader},
        "worker": {"status": "UP", "id": settings.resolved_worker_id, "location": settings.location},
    }
    up = health.database and health.checking
    return (200 if up else 503), {"status": "UP" if up else "DOWN", "components": components}


KeyCheck = Callable[[str], Awaitable[bool]]  # whether an API key is live (the worker asks the database)


def _error(status_code: int, code: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
    return JSONResponse(
        {"error": {"code": code, "message": message, "field": None}}, status_code=status_code, headers=headers
    )


def presented_key(request: Request) -> str | None:
    """The API key of a request, spelled as the REST API accepts it (Bearer, ApiKey or X-API-Key)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "apikey") and value.strip():
        return value.strip()
    return request.headers.get("x-api-key") or None


def make_app(
    settings: Settings,
    status: Callable[[], WorkerHealth],
    metrics: Callable[[], bytes],
    key_check: KeyCheck | None = None,
) -> Starlette:
    throttle = LoginThrottle()  # wrong keys from one address wait longer and longer, as on the web nodes

    async def health(_: Request) -> Response:
        code, body = health_body(status(), settings)
        return JSONResponse(body, status_code=code)

    async def prometheus(request: Request) -> Response:
        if settings.metrics_require_key:  # as on the web nodes: metrics only with an API key
            refused = await _refused(request)
            if refused is not None:
                return refused
        return Response(metrics(), media_type=CONTENT_TYPE)

    async def _refused(request: Request) -> Response | None:
        key = presented_key(request)
        address = request.client.host if request.client else "-"
        if key is None:
            return _error(401, "unauthorized", "metrics need an API key (KAIROS_METRICS_REQUIRE_KEY is on)")
        if throttle.blocked(address):
            return _error(429, "too_many_attempts", "too many wrong API keys from this address; wait a little")
        if key_check is None or not await key_check(key):
            throttle.fail(address)
            return _error(401, "unauthorized", "unknown or revoked API key")
        return None

    async def error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = {404: "a worker answers /actuator/health and /metrics only"}.get(exc.status_code, exc.detail)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        body = {"error": {"code": code, "message": message, "field": None}}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    return Starlette(
        routes=[
            Route("/actuator/health", health, methods=["GET"]),
            Route("/metrics", prometheus, methods=["GET"]),
            Route("/actuator/prometheus", prometheus, methods=["GET"]),
        ],
        exception_handlers={HTTPException: error},
    )


class HealthListener:
    def __init__(
        self,
        settings: Settings,
        status: Callable[[], WorkerHealth],
        metrics: Callable[[], bytes],
        key_check: KeyCheck | None = None,
    ) -> None:
        self._settings = settings
        config = uvicorn.Config(
            make_app(settings, status, metrics, key_check),
            lifespan="off",
            access_log=False,
            log_level="warning",
            log_config=None,
        )
        config.load()
        self._server = uvicorn.Server(config)
        self._server.lifespan = config.lifespan_class(config)  # "off": the app needs no start-up
        self._task: asyncio.Task[None] | None = None
        self._sock: socket.socket | None = None

    @property
    def port(self) -> int:
        """The port listened on (the configured one; tests may configure 0 and read the one given)."""
        assert self._sock is not None
        return int(self._sock.getsockname()[1])

    async def start(self) -> None:
        """Listen; raises :class:`ListenerError` when the port cannot be had."""
        sock = self._sock = bind(self._settings.host, self._settings.worker_port)
        # startup/main_loop/shutdown rather than serve(): serve() takes SIGTERM and SIGINT, which are the worker's.
        await self._server.startup(sockets=[sock])
        self._task = asyncio.create_task(self._serve(sock), name="kairos-worker-listener")

    async def _serve(self, sock: socket.socket) -> None:
        await self._server.main_loop()
        await self._server.shutdown(sockets=[sock])

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await task
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, reuse_port=False)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ListenerError(f"KAIROS_WORKER_PORT: cannot listen on {host}:{port}: {reason}") from None
