"""``kairos worker``: checks and background jobs for one location, no public HTTP (docs/fleet.md).

A worker claims its location's due checks, runs them, and records them with the quorum verdict
(kairos.fleet.checker, kairos.fleet.recorder); beats its heartbeat; takes part in the election of the leader that
runs the singleton jobs (discovery, housekeeping, notification sending, location liveness, closing the journals
of dead workers); follows edits made elsewhere through ``kairos_resources`` notifications; and answers
``/actuator/health`` and ``/metrics`` on KAIROS_WORKER_PORT. SIGTERM and SIGINT stop it gracefully: checks in
flight finish within the grace period, what was recorded is written, and its open buckets are closed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos import __version__
from kairos.auth import apikeys
from kairos.credentials import CredentialStore
from kairos.crypto import SecretBox
from kairos.db.engine import make_engine, make_sessionmaker
from kairos.discovery.loop import DiscoveryLoop
from kairos.discovery.sync import SourceSyncs
from kairos.fleet import channels
from kairos.fleet.adopt import Adopter, register
from kairos.fleet.checker import FleetScheduler
from kairos.fleet.health import HealthListener, WorkerHealth
from kairos.fleet.heartbeat import Heartbeat
from kairos.fleet.leader import Leader
from kairos.fleet.listen import Listener, conninfo_of
from kairos.fleet.locations import Liveness
from kairos.metrics import Metrics
from kairos.notify.outbox import Notifications
from kairos.proxies import reload_proxies
from kairos.scheduler.control import SchedulerControl
from kairos.settings import Settings

log = logging.getLogger("kairos.fleet")


@dataclass(slots=True)
class _Host:
    """What a discovery sync works with (kairos.discovery.sync.SyncHost), in a worker."""

    sessionmaker: async_sessionmaker[AsyncSession]
    box: SecretBox
    settings: Settings
    credentials: CredentialStore
    scheduler: SchedulerControl
    notifications: Notifications
    started: bool = True


@dataclass(slots=True)
class _Job:
    """A singleton job as the leader starts and stops it."""

    start_fn: Callable[[], object]
    stop_fn: Callable[[], Awaitable[object]]

    async def start(self) -> None:
        started = self.start_fn()
        if asyncio.iscoroutine(started):
            await started

    async def stop(self) -> None:
        await self.stop_fn()


@dataclass
class Worker:
    settings: Settings
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        s = self.settings
        self.engine = make_engine(s.effective_database_url)
        self.sessionmaker = make_sessionmaker(self.engine)
        box = SecretBox(s.resolved_secret())
        self.credentials = CredentialStore(self.sessionmaker, box)
        self.metrics = Metrics()
        self.notifications = Notifications(self.sessionmaker, box, s)
        self.scheduler = FleetScheduler(
            self.sessionmaker, s, self.credentials, self.metrics, notify=self.notifications.enqueue
        )
        host = _Host(self.sessionmaker, box, s, self.credentials, self.scheduler, self.notifications)
        discovery = DiscoveryLoop(host, SourceSyncs())
        housekeeping = self.scheduler.housekeeper.job
        grace = s.shutdown_grace_s
        self.leader = Leader(
            self.engine,
            s,
            [
                Liveness(self.sessionmaker, s, self.notifications.enqueue),
                Adopter(self.sessionmaker, s),
                _Job(housekeeping.start, housekeeping.stop),
                _Job(discovery.start, discovery.stop),
                _Job(self.notifications.start, lambda: self.notifications.stop(grace)),
            ],
        )
        self.heartbeat = Heartbeat(self.sessionmaker, s, __version__, lambda: self.leader.is_leader, registered=True)
        self.listener = Listener(
            conninfo_of(s.effective_database_url), [channels.RESOURCES], self._on_notice, self._resync
        )
        self.health = HealthListener(s, self.status, self.metrics.render, self._key_is_live)
        self._tasks: set[asyncio.Task[None]] = set()

    async def _key_is_live(self, plaintext: str) -> bool:
        async with self.sessionmaker() as session:
            return await apikeys.find_active(session, plaintext) is not None

    def status(self) -> WorkerHealth:
        failures = self.scheduler.recorder.failures
        return WorkerHealth(
            checking=self.scheduler.alive,
            database=failures == 0,
            leader=self.leader.is_leader,
            pending_results=self.scheduler.recorder.pending,
            database_message=f"{failures} writes failed in a row" if failures else "",
        )

    async def start(self) -> None:
        async with self.sessionmaker() as session, session.begin():
            closed = await register(session, self.settings)
        if closed:
            log.info("closed %d results journaled by this worker's previous run", closed)
        await self._reload_caches()
        await self.health.start()
        self.heartbeat.start()
        await self.scheduler.start()
        await self.listener.start()
        self.leader.start()
        log.info(
            "Kairos %s worker %s ready in location %s (%d resources)",
            __version__,
            self.settings.resolved_worker_id,
            self.settings.location,
            len(self.scheduler.resources),
        )

    async def stop(self) -> None:
        await self.leader.stop()
        await self.listener.stop()
        await self.scheduler.stop()
        await self.heartbeat.stop()
        await self.health.stop()
        await self.engine.dispose()

    def _on_notice(self, channel: str, payload: str) -> None:
        task = asyncio.create_task(self._apply_notice(payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _apply_notice(self, payload: str) -> None:
        try:
            await self.scheduler.on_resources_notice(payload)
            if payload in (channels.EVERYTHING, channels.SETTINGS):
                await self._reload_caches()
        except Exception as exc:  # the periodic resync heals what this missed
            log.warning("cannot apply the notification %r yet: %s", payload, exc)

    async def _resync(self) -> None:
        await self.scheduler.resync()
        await self._reload_caches()

    async def _reload_caches(self) -> None:
        await self.credentials.reload()
        await self.notifications.policies.reload()
        await self.scheduler.reload_maintenance()  # windows edited on a web node (kairos.scheduler.maintenance)
        # The same probes as a single process: the same proxies (kairos/proxies.py), announced with "settings".
        await reload_proxies(self.sessionmaker, SecretBox(self.settings.resolved_secret()), self.settings)


async def run_worker(settings: Settings) -> int:
    """Run until SIGTERM or SIGINT (0), or until the fleet took this worker for dead (1)."""
    worker = Worker(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stopping.set)
    await worker.start()
    waits = [
        asyncio.create_task(event.wait())
        for event in (worker.stopping, worker.scheduler.fleet_recorder.dead, worker.heartbeat.declared_dead)
    ]
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in waits:
        task.cancel()
    code = 0 if worker.stopping.is_set() else 1
    if code:
        log.error("this worker was declared dead by the fleet (silent too long); stopping so that it restarts clean")
    with contextlib.suppress(Exception):
        await worker.stop()
    return code
