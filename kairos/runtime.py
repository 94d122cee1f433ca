"""The long-lived objects of one running Kairos, owned by the application's lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kairos.auth.throttle import LoginThrottle
from kairos.credentials import CredentialStore
from kairos.crypto import SecretBox
from kairos.discovery.sync import SourceSyncs
from kairos.live_events import Broadcaster
from kairos.metrics import Metrics
from kairos.scheduler.board import LiveBoard
from kairos.scheduler.control import SchedulerControl
from kairos.services.instant_checks import InstantChecks
from kairos.services.push import PingLimiter
from kairos.services.site import SiteSettings
from kairos.settings import Settings

if TYPE_CHECKING:
    from kairos.notify.outbox import Notifications


@dataclass(slots=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    box: SecretBox
    credentials: CredentialStore
    metrics: Metrics
    # The scheduler in one process; a web node's FleetControl, which hands checks to the workers (kairos.fleet).
    scheduler: SchedulerControl
    board: LiveBoard  # the read model of current state: what every reader reads (kairos.scheduler.board)
    events: Broadcaster  # results for the live stream (the board publishes to it)
    notifications: Notifications  # policies and the delivery loop (kairos.notify)
    started: bool = False
    syncs: SourceSyncs = field(default_factory=SourceSyncs)  # discovery syncs, one at a time per source
    site: SiteSettings = field(default_factory=SiteSettings)  # loaded at start, replaced when edited
    # Failed passwords, the sign-in form and HTTP Basic alike (kairos/auth/password_signin.py).
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    api_throttle: LoginThrottle = field(default_factory=LoginThrottle)  # wrong API keys only, per address
    instant_checks: InstantChecks = field(default_factory=InstantChecks)  # running ones, cancelled at shutdown
    push_limits: PingLimiter = field(default_factory=PingLimiter)  # pings per PUSH token (kairos.services.push)
