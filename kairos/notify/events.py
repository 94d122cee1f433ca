"""Events and the policies that route them: turning "outage opened for resource 7" into outbox rows.

``Policies.enqueue`` runs inside the caller's transaction (the recorder's batch, a discovery sync), so an event
is stored exactly when the state change that caused it is. Policies and channels are cached in memory and
reloaded after an edit; with no event in a batch the recorder does not call in at all."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import GroupMember, NotificationChannel, NotificationOutbox, NotificationPolicy, Outage, Resource
from kairos.probes.base import ProbeResult, Status

if TYPE_CHECKING:
    from kairos.scheduler.state import Transition

log = logging.getLogger("kairos.notify")

OUTAGE_OPENED = "outage_opened"
OUTAGE_RESOLVED = "outage_resolved"
OUTAGE_REMINDER = "outage_reminder"  # sent to policies with outage_opened and a reminder interval
DIGEST_CHANGED = "digest_changed"
# A TLS certificate is within a notice threshold (kairos.notify.cert_notices: once per threshold and certificate).
CERT_EXPIRING = "cert_expiring"
DISCOVERY_FOUND = "discovery_found"
DISCOVERY_LOST = "discovery_lost"
# The fleet (docs/fleet.md): a location lost its last live worker and stopped counting in verdicts, or came back.
# They concern no resource: only policies of scope "all" get them.
LOCATION_DOWN = "location_down"
LOCATION_UP = "location_up"
LOCATION_KINDS = (LOCATION_DOWN, LOCATION_UP)
EVENT_KINDS = (
    OUTAGE_OPENED, OUTAGE_RESOLVED, DIGEST_CHANGED, CERT_EXPIRING, DISCOVERY_FOUND, DISCOVERY_LOST, *LOCATION_KINDS
)  # fmt: skip
SCOPES = ("all", "groups", "resources")


@dataclass(slots=True)
class Event:
    """Something that happened to one resource (or, for location events, to a location of the fleet: then
    ``resource_id`` is None); ``details`` become the payload's extra fields."""

    kind: str
    resource_id: int | None
    at: datetime
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    location: str | None = None

    @classmethod
    def for_location(cls, kind: str, location: str, at: datetime, message: str) -> Event:
        return cls(kind, None, at, message, location=location)


@dataclass(frozen=True, slots=True)
class CachedPolicy:
    id: int
    channel_id: int
    events: frozenset[str]
    scope: str
    scope_ids: frozenset[int]
    reminder_interval_s: int | None

    def wants(self, kind: str) -> bool:
        return kind in self.events or (kind == OUTAGE_REMINDER and OUTAGE_OPENED in self.events)

    def covers(self, resource_id: int | None, groups: set[int]) -> bool:
        if resource_id is None:  # a location event: no group or resource selection names it
            return self.scope == "all"
        if self.scope == "resources":
            return resource_id in self.scope_ids
        if self.scope == "groups":
            return bool(groups & self.scope_ids)
        return True


def events_of(resource_id: int, result: ProbeResult, transition: Transition) -> list[Event]:
    """The events one recorded check result causes (usually none; none at all during a maintenance window)."""
    if result.status is Status.MAINTENANCE:
        return []
    out: list[Event] = []
    details = {"errorCode": result.error_code, "httpStatus": result.http_status}
    if transition.opened_at is not None:
        outage = {"startedAt": iso(transition.opened_at), "endedAt": None, "durationSeconds": None}
        out.append(Event(OUTAGE_OPENED, resource_id, result.checked_at, result.message, {**details, "outage": outage}))
    elif transition.closed_at is not None:
        out.append(Event(OUTAGE_RESOLVED, resource_id, transition.closed_at, result.message, {"outage": None}))
    moved = result.details.get("digestChanged") if result.details else None
    if isinstance(moved, dict):
        out.append(Event(DIGEST_CHANGED, resource_id, result.checked_at, result.message, {"digest": moved}))
    cert = result.details.get("certificate") if result.details else None
    if isinstance(cert, dict) and cert.get("expiryDays") != 0:  # a candidate: kairos.notify.cert_notices decides
        message = f"TLS certificate {_expiry_words(cert)} (notAfter {cert.get('notAfter')})"
        out.append(Event(CERT_EXPIRING, resource_id, result.checked_at, message, {"certificate": dict(cert)}))
    return out


def _expiry_words(cert: dict[str, Any]) -> str:
    days = int(cert.get("daysLeft", 0))
    return f"expired {-days} days ago" if days < 0 else f"expires in {days} days"


def iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z") if at is not None else None


class Policies:
    """The enabled policies of enabled channels, in memory."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self.active: list[CachedPolicy] = []

    async def reload(self) -> None:
        """Called at start and after every channel or policy edit."""
        async with self._sessionmaker() as session:
            rows = await session.execute(
                select(NotificationPolicy)
                .join(NotificationChannel, NotificationChannel.id == NotificationPolicy.channel_id)
                .where(NotificationPolicy.enabled.is_(True), NotificationChannel.enabled.is_(True))
            )
            self.active = [_cached(p) for p in rows.scalars()]

    async def enqueue(
        self,
        session: AsyncSession,
        events: Iterable[Event],
        *,
        policy_id: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Insert one outbox row per (event, matching policy) in ``session``'s transaction; returns how many."""
        events = list(events)
        policies = [p for p in self.active if policy_id is None or p.id == policy_id]
        if not events or not policies:
            return 0
        wanted = [e for e in events if any(p.wants(e.kind) for p in policies)]
        if not wanted:
            return 0
        ids = {e.resource_id for e in wanted if e.resource_id is not None}
        resources = await _resources(session, ids)
        groups = await _groups(session, ids) if any(p.scope == "groups" for p in policies) else {}
        await _fill_resolved(session, wanted)
        rows = []
        now = now or datetime.now(UTC)
        for event in wanted:
            payload = event_payload(event, resources.get(event.resource_id) if event.resource_id is not None else None)
            for p in policies:
                groups_of = groups.get(event.resource_id, set()) if event.resource_id is not None else set()
                if p.wants(event.kind) and p.covers(event.resource_id, groups_of):
                    rows.append(_row(p, event, payload, now))
        if rows:
            await session.execute(insert(NotificationOutbox), rows)
        return len(rows)


def _cached(p: NotificationPolicy) -> CachedPolicy:
    return CachedPolicy(
        id=p.id,
        channel_id=p.channel_id,
        events=frozenset(p.events or ()),
        scope=p.scope,
        scope_ids=frozenset(int(i) for i in (p.scope_ids or ())),
        reminder_interval_s=p.reminder_interval_s,
    )


def _row(p: CachedPolicy, event: Event, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "channel_id": p.channel_id,
        "policy_id": p.id,
        "resource_id": event.resource_id,
        "event": event.kind,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def event_payload(event: Event, resource: dict[str, Any] | None) -> dict[str, Any]:
    """The documented per-event object of the webhook payload (docs/notifications.md)."""
    if event.location is not None:
        return {
            "event": event.kind,
            "at": iso(event.at),
            "resource": None,
            "location": event.location,
            "message": event.message[:500],
        }
    return {
        "event": event.kind,
        "at": iso(event.at),
        "resource": resource or {"id": event.resource_id, "name": f"resource {event.resource_id}"},
        "message": event.message[:500],
        **event.details,
    }


async def _resources(session: AsyncSession, ids: set[int]) -> dict[int, dict[str, Any]]:
    rows = await session.execute(
        select(Resource.id, Resource.name, Resource.kind, Resource.target).where(Resource.id.in_(ids))
    )
    return {r.id: {"id": r.id, "name": r.name, "kind": r.kind, "target": r.target} for r in rows}


async def _fill_resolved(session: AsyncSession, events: list[Event]) -> None:
    """A resolved event tells how long the outage lasted: its row was closed earlier in this transaction.
    One query for all of them (a network-wide recovery resolves hundreds at once)."""
    todo = [e for e in events if e.kind == OUTAGE_RESOLVED and e.details.get("outage") is None]
    if not todo:
        return
    rows = await session.execute(
        select(Outage.resource_id, Outage.ended_at, Outage.started_at).where(
            Outage.resource_id.in_({e.resource_id for e in todo}), Outage.ended_at.in_({e.at for e in todo})
        )
    )
    started = {(r.resource_id, r.ended_at): r.started_at for r in rows}
    for e in todo:
        begun = started.get((e.resource_id, e.at))
        e.details["outage"] = {
            "startedAt": iso(begun),
            "endedAt": iso(e.at),
            "durationSeconds": round((e.at - begun).total_seconds()) if begun else None,
        }


async def _groups(session: AsyncSession, ids: set[int]) -> dict[int, set[int]]:
    rows = await session.execute(
        select(GroupMember.resource_id, GroupMember.group_id).where(GroupMember.resource_id.in_(ids))
    )
    out: dict[int, set[int]] = {}
    for r in rows:
        out.setdefault(r.resource_id, set()).add(r.group_id)
    return out
