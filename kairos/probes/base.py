"""The contract every probe kind keeps: a config model, ``probe(config, ctx)`` and one result type."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from kairos.net.denylist import TargetPolicy
from kairos.net.timing import Phases as Phases  # re-exported: its old home; it lives with the timing code

if TYPE_CHECKING:  # not at run time: `kairos check` (no database) starts without SQLAlchemy
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# Failures that are the operator's own policy or path, not the target's fault: UNKNOWN, never an outage of the
# target. A proxy that is down, refuses our credentials or is not defined says nothing about the target.
POLICY_CODES = frozenset({"target_denied", "proxy_unreachable", "proxy_auth_failed", "proxy_unknown"})


class Kind(enum.StrEnum):
    """The names of the built-in kinds. Stored and submitted kinds are plain strings checked against the
    registry (kairos.probes.kinds), so a kind registered at run time is as good as these."""

    HTTP = "HTTP"
    TCP = "TCP"
    DOCKER = "DOCKER"


class Status(enum.StrEnum):
    AVAILABLE = "AVAILABLE"
    NOT_AVAILABLE = "NOT_AVAILABLE"
    UNKNOWN = "UNKNOWN"
    # Checked during a maintenance window (docs/maintenance.md): no verdict, like UNKNOWN, so it neither opens nor
    # closes an outage and uptime does not count it; what the probe saw is kept in the result's details.
    MAINTENANCE = "MAINTENANCE"

    @property
    def api_name(self) -> str:
        """The spelling of the original Java Kairos (``available`` / ``not-available`` / ``unknown``), plus
        ``maintenance``."""
        return _API_NAMES[self.value]

    @property
    def gauge(self) -> int:
        return _GAUGES[self.value]

    @property
    def has_verdict(self) -> bool:
        """AVAILABLE or NOT_AVAILABLE: a result that counts in streaks, uptime and latency."""
        return self.value in _VERDICTS


_API_NAMES = {
    "AVAILABLE": "available", "NOT_AVAILABLE": "not-available", "UNKNOWN": "unknown", "MAINTENANCE": "maintenance"
}  # fmt: skip
_GAUGES = {"AVAILABLE": 1, "NOT_AVAILABLE": 0, "UNKNOWN": -1, "MAINTENANCE": 2}
_VERDICTS = frozenset({"AVAILABLE", "NOT_AVAILABLE"})


class ProbeConfig(BaseModel):
    """Per-kind options; unknown fields are refused so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


@dataclass(slots=True)
class ProbeResult:
    status: Status
    message: str
    error_code: str | None = None
    phases: Phases = field(default_factory=Phases)
    http_status: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class ProbeFailure(Exception):
    """A verdict of NOT_AVAILABLE (UNKNOWN for :data:`POLICY_CODES`) with a stable code and a one-line message."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        http_status: int | None = None,
        phases: Phases | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.phases = phases
        self.details = details or {}

    def to_result(self) -> ProbeResult:
        status = Status.UNKNOWN if self.code in POLICY_CODES else Status.NOT_AVAILABLE
        return ProbeResult(status, self.message, self.code, self.phases or Phases(), self.http_status, self.details)


@dataclass(slots=True)
class Credential:
    username: str
    password: str


@dataclass(slots=True)
class ProbeContext:
    """What a probe may use beside its config: the resolved target, timeout, secrets and the target policy
    (``KAIROS_DENIED_NETWORKS``; None allows every address, as in the CLI without the setting)."""

    target: str
    timeout_s: float
    skip_tls: bool = False
    credential: Credential | None = None
    user_agent: str = "Kairos-Monitor/0.1"
    max_body_bytes: int = 1_048_576
    extra: dict[str, Any] = field(default_factory=dict)
    policy: TargetPolicy | None = None
    # The scheduler's own checks also say which resource, its interval and the database: a PUSH resource's verdict
    # is the last ping Kairos stored (docs/push.md), the one case where a probe reads the database. None in an
    # instant check and the CLI.
    resource_id: int | None = None
    interval_s: float | None = None
    database: async_sessionmaker[AsyncSession] | None = None
