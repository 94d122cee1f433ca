"""The scheduler's in-memory view of resources and per-kind settings, loaded from the database."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Outage, Resource, ResourceState, ResourceTypeSettings
from kairos.net.timing import Phases
from kairos.probes.base import ProbeConfig, ProbeResult, Status
from kairos.probes.kinds import all_specs, parse_config, spec_of
from kairos.scheduler.state import RuntimeState

log = logging.getLogger("kairos.scheduler")


@dataclass(slots=True)
class TypeSettings:
    interval_s: int
    parallelism: int
    timeout_s: float
    outage_threshold: int = 3
    recovery_threshold: int = 2
    quorum: str = "majority"  # the fleet's verdict policy (kairos.fleet.quorum)


@dataclass(slots=True)
class Scheduled:
    id: int
    name: str
    kind: str  # a registered kind (kairos.probes.kinds)
    target: str
    config: ProbeConfig
    enabled: bool
    interval_s: int | None
    timeout_s: float | None
    skip_tls: bool
    credential_id: int | None = None
    locations: tuple[str, ...] | None = None  # the fleet: where it is checked (None: every live location)
    quorum: str | None = None  # the fleet: its own verdict policy (None: its kind's)
    proxy: str | None = None  # its outbound route: None the default proxy rules, "direct" or a named proxy
    outage_threshold: int | None = None  # failures before an outage (None: its kind's)
    recovery_threshold: int | None = None  # successes before recovery (None: its kind's)
    upside_down: bool = False  # available when the target is down (kairos.scheduler.state.upside_down)

    def thresholds(self, types: TypeSettings) -> tuple[int, int]:
        """(outage, recovery): its own where set, else its kind's."""
        return (
            self.outage_threshold or types.outage_threshold,
            self.recovery_threshold or types.recovery_threshold,
        )


def default_type_settings(kind: str) -> TypeSettings:
    """The kind's own defaults: what a kind without a ``resource_type_settings`` row runs with."""
    spec = spec_of(kind)
    return TypeSettings(
        spec.default_interval_s,
        spec.default_parallelism,
        spec.default_timeout_s,
        spec.default_outage_threshold,
        spec.default_recovery_threshold,
    )


def to_scheduled(row: Resource) -> Scheduled | None:
    try:
        kind = spec_of(row.kind).name
        config = parse_config(kind, row.config or {})
    except (ValueError, ValidationError):
        log.error("resource %s has an invalid stored configuration; it is not scheduled", row.id)
        return None
    return Scheduled(
        row.id,
        row.name,
        kind,
        row.target,
        config,
        row.enabled,
        row.interval_s,
        row.timeout_s,
        row.skip_tls,
        row.credential_id,
        tuple(row.locations) if row.locations else None,
        row.quorum,
        row.proxy,
        row.outage_threshold,
        row.recovery_threshold,
        bool(row.upside_down),
    )


async def load_type_settings(session: AsyncSession) -> dict[str, TypeSettings]:
    """Every registered kind's settings: its row where one was saved, else the kind's defaults (rows are
    written only when an admin changes a kind; rows of kinds no longer registered are ignored)."""
    out = {s.name: default_type_settings(s.name) for s in all_specs()}
    for row in (await session.execute(select(ResourceTypeSettings))).scalars():
        if row.kind in out:
            out[row.kind] = TypeSettings(
                row.interval_s,
                row.parallelism,
                row.timeout_s,
                row.outage_threshold,
                row.recovery_threshold,
                row.quorum,
            )
    return out


async def load_resources(session: AsyncSession) -> dict[int, Scheduled]:
    rows = (await session.execute(select(Resource))).scalars().all()
    return {s.id: s for s in map(to_scheduled, rows) if s is not None}


async def version(session: AsyncSession) -> tuple[object, ...]:
    """Changes whenever a resource or a kind's settings is added, edited or deleted (the fleet's workers ask it
    before reloading everything)."""
    r = Resource
    row = (await session.execute(select(func.count(r.id), func.max(r.id), func.max(r.updated_at)))).one()
    types = await load_type_settings(session)
    return (*row, *sorted((kind, repr(t)) for kind, t in types.items()))


async def load_one(session: AsyncSession, resource_id: int) -> Scheduled | None:
    row = await session.get(Resource, resource_id)
    return to_scheduled(row) if row is not None else None


async def load_states(
    session: AsyncSession, ids: Collection[int] | None = None, *, lock: bool = False
) -> dict[int, RuntimeState]:
    """Streaks and open outages as they were when Kairos last stopped (of ``ids`` only, when given).

    ``lock``: the rows stay locked until the transaction ends (the fleet's verdict: two locations recording the
    same resource at once take turns), taken in id order so that two batches never deadlock."""
    states: dict[int, RuntimeState] = {}
    table = ResourceState.__table__
    rows = select(*table.c)  # Core rows: the fleet's recorder reads these every flush, ORM objects cost more
    active = select(Outage.resource_id, Outage.started_at).where(Outage.ended_at.is_(None))
    if ids is not None:
        rows = rows.where(table.c.resource_id.in_(ids))
        active = active.where(Outage.resource_id.in_(ids))
    if lock:
        rows = rows.order_by(table.c.resource_id).with_for_update()
    for row in await session.execute(rows):
        states[row.resource_id] = RuntimeState(
            status=Status(row.status),
            fail_streak=row.fail_streak,
            ok_streak=row.ok_streak,
            streak_started_at=row.streak_started_at,
            last=ProbeResult(
                status=Status(row.status),
                message=row.last_message,
                error_code=row.last_error_code,
                phases=Phases(total_ms=row.last_latency_ms),
                http_status=row.last_http_status,
                details=row.last_details or {},
                checked_at=row.last_checked_at,
            ),
            image_digest=row.image_digest,
        )
    for resource_id, started_at in (await session.execute(active)).all():
        states.setdefault(resource_id, RuntimeState()).outage_since = started_at
    return states
