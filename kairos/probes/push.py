"""PUSH (heartbeat) probe: the resource is fed by pings to its secret URL (``/api/push/{token}``); a check judges
the last ping Kairos stored (kairos.services.push writes it), so history, outages, notifications and metrics
work as for any kind. In a fleet the ping lands on a web node and the workers read it from the database: the
one probe that reads the database (docs/push.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from kairos.net.timing import Phases
from kairos.probes.base import ProbeConfig, ProbeContext, ProbeResult, Status
from kairos.probes.spec import KindSpec, OptionField

KIND = "PUSH"
MISSED = "heartbeat_missed"
DOWN = "push_down"
MAX_GRACE_S = 30 * 86_400


class PushConfig(ProbeConfig):
    """Options of a PUSH resource (camelCase: the REST API shows them as they are)."""

    graceSeconds: int = Field(
        default=60,
        ge=0,
        le=MAX_GRACE_S,
        description="How late a ping may be beyond the period before the resource is NOT_AVAILABLE; also how "
        "long a job may run after a /start signal.",
    )
    periodSeconds: int | None = Field(
        default=None,
        ge=5,
        le=MAX_GRACE_S,
        description="How often the job pings (a daily backup: 86400); null: the resource's check interval. Keep "
        "the interval short so a missed ping is seen soon after the period plus grace.",
    )


@dataclass(frozen=True, slots=True)
class Beat:
    """What the probe needs of a resource's ``push_heartbeat`` row."""

    issued_at: datetime
    last_ping_at: datetime | None = None
    last_signal: str | None = None
    last_message: str | None = None
    last_latency_ms: float | None = None
    started_at: datetime | None = None


def _ago(seconds: float) -> str:
    s = max(0, round(seconds))
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} min"
    if s < 172_800:
        return f"{s // 3600} h"
    return f"{s // 86_400} d"


def judge(beat: Beat | None, now: datetime, period_s: float, grace_s: float) -> ProbeResult:
    """The verdict on ``beat`` at ``now``: late after ``period_s + grace_s`` (``heartbeat_missed``), a job started
    and not finished within ``grace_s`` (``heartbeat_missed``), a ``down`` or ``fail`` ping (``push_down``, with
    its message), else AVAILABLE. A resource never pinged is UNKNOWN until its first ping is late."""
    if beat is None:
        return ProbeResult(Status.UNKNOWN, "no push token: rotate one to get a ping URL", "push_no_token")
    window = period_s + grace_s
    expected = f"expected every {_ago(period_s)} + {_ago(grace_s)} grace"
    details: dict[str, Any] = {"periodSeconds": period_s, "graceSeconds": grace_s}
    if beat.last_ping_at is None:
        waited = (now - beat.issued_at).total_seconds()
        if waited <= window:
            return ProbeResult(Status.UNKNOWN, f"waiting for the first ping ({expected})", None, details=details)
        return ProbeResult(
            Status.NOT_AVAILABLE,
            f"no ping yet, {_ago(waited)} after the token was issued ({expected})",
            MISSED,
            details=details,
        )
    details["lastPingAt"] = beat.last_ping_at.isoformat()
    phases = Phases(total_ms=beat.last_latency_ms)
    if beat.started_at is not None and beat.started_at > beat.last_ping_at:
        running = (now - beat.started_at).total_seconds()
        if running > grace_s:
            return ProbeResult(
                Status.NOT_AVAILABLE,
                f"started {_ago(running)} ago and not finished within the {_ago(grace_s)} grace",
                MISSED,
                phases,
                details=details,
            )
    age = (now - beat.last_ping_at).total_seconds()
    if age > window:
        return ProbeResult(
            Status.NOT_AVAILABLE, f"last ping {_ago(age)} ago ({expected})", MISSED, phases, details=details
        )
    said = f": {beat.last_message}" if beat.last_message else ""
    if beat.last_signal == "down":
        return ProbeResult(
            Status.NOT_AVAILABLE, f"the job reported a failure {_ago(age)} ago{said}", DOWN, phases, details=details
        )
    return ProbeResult(Status.AVAILABLE, f"last ping {_ago(age)} ago{said}", None, phases, details=details)


async def read_beat(ctx: ProbeContext) -> Beat | None:
    """The resource's heartbeat row (one primary-key read; measured in docs/push.md)."""
    # Imported here, not at the top: every kind is imported by `kairos check`, which needs no database.
    from sqlalchemy import select

    from kairos.db.models.push import PushHeartbeat

    assert ctx.database is not None and ctx.resource_id is not None
    stmt = select(
        PushHeartbeat.issued_at,
        PushHeartbeat.last_ping_at,
        PushHeartbeat.last_signal,
        PushHeartbeat.last_message,
        PushHeartbeat.last_latency_ms,
        PushHeartbeat.started_at,
    ).where(PushHeartbeat.resource_id == ctx.resource_id)
    async with ctx.database() as session:
        row = (await session.execute(stmt)).one_or_none()
    return None if row is None else Beat(*row)


async def probe(config: PushConfig, ctx: ProbeContext) -> ProbeResult:
    if ctx.database is None or ctx.resource_id is None or ctx.interval_s is None:
        return ProbeResult(
            Status.UNKNOWN,
            "a PUSH resource is fed by pings to its URL: there is nothing to check from here",
            "push_only",
        )
    period = float(config.periodSeconds or ctx.interval_s)
    return judge(await read_beat(ctx), datetime.now(UTC), period, float(config.graceSeconds))


def _validate_target(target: str) -> str:
    """Nothing is contacted: the target is an optional note (the host the job runs on, say), shown as is."""
    return target.strip()[:200]


SPEC = KindSpec(
    name=KIND,
    label="Heartbeat (push)",
    page_name="PUSH",
    target_hint="Optional note (e.g. the host running the job): Kairos contacts nothing, the job pings Kairos.",
    config_model=PushConfig,
    probe_fn=probe,
    validate_target=_validate_target,
    default_interval_s=60,
    default_parallelism=5,
    default_timeout_s=5.0,
    default_outage_threshold=1,  # one missed heartbeat is the news; a check does not flap like a network probe
    default_recovery_threshold=1,
    uses_tls=False,
    form_fields=(
        OptionField("periodSeconds", "Ping period (seconds)", "number"),
        OptionField("graceSeconds", "Grace (seconds)", "number"),
    ),
    timed_phases=(),
    public_detail_keys=frozenset({"lastPingAt", "periodSeconds", "graceSeconds"}),
    aliases=("push", "heartbeat"),
    push_token=True,
)
