"""``create_app(settings)``: the FastAPI application whose lifespan owns every long-lived object."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from kairos import __version__
from kairos.api import router as api_router
from kairos.auth import oidc
from kairos.bootstrap import ensure_admin
from kairos.config_as_code.service import apply_config_file
from kairos.credentials import CredentialStore
from kairos.crypto import SecretBox
from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.migrate import upgrade_to_head
from kairos.discovery.loop import DiscoveryLoop
from kairos.fleet import channels
from kairos.fleet.control import FleetControl
from kairos.live_events import Broadcaster
from kairos.mcp import mount as mcp_mount
from kairos.metrics import Metrics
from kairos.notify.outbox import Notifications
from kairos.proxies import forget_proxies, reload_proxies
from kairos.runtime import Runtime
from kairos.scheduler.board import LiveBoard
from kairos.scheduler.control import SchedulerControl
from kairos.scheduler.loop import Scheduler
from kairos.services.site import load_site
from kairos.settings import Settings
from kairos.web import router as web_router
from kairos.web import security, slashes

log = logging.getLogger("kairos")

DESCRIPTION = """Kairos checks HTTP services, TCP endpoints and container images and keeps their history.

Authenticate with an API key as `Authorization: Bearer <key>`, `Authorization: ApiKey <key>` or
`X-API-Key: <key>`. Reads of resources, their status and history are public as far as their groups'
visibility allows (docs/access.md); outages need any caller; writes need an admin. Errors are
`{"error": {"code", "message", "field"}}` with a 4xx status."""


def build_runtime(settings: Settings) -> Runtime:
    """Every long-lived object, each constructed with its collaborators (one direction: a check flows from the
    scheduler to the board, the board tells the live stream; recorded events go to the notifications)."""
    engine = make_engine(settings.effective_database_url)
    sessionmaker = make_sessionmaker(engine)
    box = SecretBox(settings.resolved_secret())
    credentials = CredentialStore(sessionmaker, box)
    metrics = Metrics()
    events = Broadcaster()
    board = LiveBoard(on_change=events.publish)
    notifications = Notifications(sessionmaker, box, settings)
    scheduler: SchedulerControl
    if settings.role == "web":  # checks run in the workers; the board follows the database (kairos.fleet)
        scheduler = FleetControl(sessionmaker, settings, board)
    else:
        scheduler = Scheduler(
            sessionmaker, settings, credentials, engine.dialect.name, board, metrics, notify=notifications.enqueue
        )
    metrics.bind_board(board, lambda: scheduler.resources, lambda: scheduler.recorder.pending)
    runtime = Runtime(
        settings,
        engine,
        sessionmaker,
        box,
        credentials,
        metrics,
        scheduler,
        board=board,
        events=events,
        notifications=notifications,
    )
    return runtime


async def _tell_workers_everything(runtime: Runtime) -> None:
    """A configuration file applied by a web node: the workers reload everything (kairos.fleet.channels)."""
    async with runtime.sessionmaker() as session:
        await channels.notify(session, channels.RESOURCES, channels.EVERYTHING)
        await session.commit()


def create_app(settings: Settings) -> FastAPI:
    runtime = build_runtime(settings)
    # A job of the serving process, not of the runtime (a CLI run has none): it syncs through the runtime's
    # SourceSyncs, which the API's "sync now" shares.
    discovery = DiscoveryLoop(runtime, runtime.syncs)
    notifications = runtime.notifications
    # A web node runs no background job: checks, discovery, the outbox sender and housekeeping are the workers'.
    web = settings.role == "web"
    jobs = settings.scheduler_enabled and not web
    mcp = mcp_mount.McpEndpoints(runtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(upgrade_to_head, settings.effective_database_url)
        await ensure_admin(runtime.sessionmaker, settings)
        plan = await apply_config_file(runtime)  # KAIROS_CONFIG_FILE (GitOps): before anything reads it
        if web and plan is not None:
            await _tell_workers_everything(runtime)
        await runtime.credentials.reload()
        await reload_proxies(runtime.sessionmaker, runtime.box, settings)  # before the first check
        async with runtime.sessionmaker() as session:
            runtime.site = await load_site(session)
        await notifications.policies.reload()  # before the first result is recorded
        if jobs or web:
            await runtime.scheduler.start()  # a web node's: the board feed and its listener
        else:
            await runtime.scheduler.load()
        runtime.started = True
        if jobs:
            discovery.start()  # after `started`: its syncs hand new resources to the running scheduler
            await notifications.start()
        # Start-up objects (models, compiled SQL, the scheduler's state) live for the whole run: keep the
        # cyclic collector from rescanning them, which otherwise shows up as CPU spikes under load.
        gc.freeze()
        log.info("Kairos %s ready", __version__)
        try:
            async with mcp.running():  # the MCP transports' task group (kairos/mcp/mount.py)
                yield
        finally:
            runtime.started = False
            runtime.events.close()
            await runtime.instant_checks.cancel_all(settings.shutdown_grace_s)  # may run for up to 60 s
            await discovery.stop()
            await notifications.stop()
            await runtime.scheduler.stop()
            await runtime.engine.dispose()
            forget_proxies()

    app = FastAPIOffline(
        title="Kairos",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # The docs pages are kairos.web.routes.api_docs (no inline script, for the CSP); FastAPIOffline still
        # serves the Swagger UI and ReDoc bundles they load.
        docs_url=None,
        redoc_url=None,
        openapi_url="/v3/api-docs",
        swagger_ui_oauth2_redirect_url="/api/oauth2-redirect",
    )
    app.state.runtime = runtime
    api_router.mount(app)
    web_router.mount(app)
    mcp_mount.install(app, mcp)
    slashes.install(app)  # relative trailing-slash redirects: Location never echoes the Host header
    oidc.install(app, runtime)
    security.install(app, settings)
    return app
