"""One sync of one discovery source: list it, plan, apply, tell the scheduler.

The same for every kind of source: what is listed (image references of a registry, URLs of a cluster's
routes) and what it becomes (DOCKER or HTTP resources) is the source's adapter's
(:mod:`kairos.discovery.adapters`). Something gone is never deleted: its resource is disabled and
``Resource.gone_at`` is set, so its history stays; when it comes back the resource is enabled again and
``gone_at`` cleared. Listing failures change no resource and are stored on the source
(``last_sync_status = "error"``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import DiscoverySource, Resource, ResourceGroup
from kairos.discovery.adapters import Lister, SourceAdapter, adapter_for
from kairos.notify.events import DISCOVERY_FOUND, DISCOVERY_LOST, Event
from kairos.registry.discovery import DiscoveryError, Known, Plan, plan

if TYPE_CHECKING:
    from kairos.credentials import CredentialStore
    from kairos.crypto import SecretBox
    from kairos.notify.outbox import Notifications
    from kairos.scheduler.control import SchedulerControl
    from kairos.settings import Settings

MAX_MESSAGE = 1000


class SyncHost(Protocol):
    """What a sync works with (the runtime is one): the database, the sealed secrets, the settings, and, in a
    serving process, the credential store and the scheduler it hands new resources to."""

    sessionmaker: async_sessionmaker[AsyncSession]
    box: SecretBox
    settings: Settings
    credentials: CredentialStore
    scheduler: SchedulerControl
    notifications: Notifications
    started: bool  # False in a CLI run: no scheduler is running to hand resources to


class SourceSyncs:
    """Syncs of one source never overlap (a lock per source), so a sync asked for through the API and the
    periodic loop cannot create the same resource twice."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}

    async def run(self, host: SyncHost, source_id: int, *, dry_run: bool = False) -> SyncReport:
        """Sync one source now, after any sync of it already running."""
        async with self._locks.setdefault(source_id, asyncio.Lock()):
            return await sync_source(host, source_id, dry_run=dry_run)


@dataclass(slots=True)
class SyncReport:
    created: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: int = 0
    error: str | None = None
    dry_run: bool = False


async def sync_source(host: SyncHost, source_id: int, *, dry_run: bool = False) -> SyncReport:
    """List, plan and (unless ``dry_run``) apply; raises ``LookupError`` when the source does not exist."""
    adapter, lister = await _lister(host, source_id)
    # No database connection is held while the source is listed (that may take a while).
    found, error = await _list(lister)
    report = SyncReport(error=error, dry_run=dry_run)
    touched: list[int] = []
    async with host.sessionmaker() as session:
        source = await _source(session, source_id)  # it may have been deleted meanwhile
        if found is not None and adapter_for(source) is not adapter:
            found, report = None, SyncReport(error="the source's kind changed while it was listed", dry_run=dry_run)
        if found is not None:
            changes = plan(
                await _known(session, adapter.resource_kind), found, source_id=source.id, normalise=adapter.normalise
            )
            report = _report(changes, dry_run)
            if not dry_run:
                touched = await _apply(session, adapter, source, changes)
                # In this transaction: found/lost are stored with the change.
                await host.notifications.enqueue(session, discovery_events(changes, touched, adapter.lost_message))
        if dry_run:
            return report
        _mark(source, report)
        await session.commit()
    if host.started:  # a CLI run has no scheduler running: the server sees the rows at its next start
        await host.credentials.reload()  # the source's credential may be new or changed
        await host.scheduler.caches_changed()
        for rid in touched:
            await host.scheduler.resource_changed(rid)  # new and reactivated ones are checked at once
    return report


async def _source(session: AsyncSession, source_id: int) -> DiscoverySource:
    source = await session.get(DiscoverySource, source_id)
    if source is None:
        raise LookupError(f"discovery source {source_id} not found")
    return source


async def _lister(host: SyncHost, source_id: int) -> tuple[SourceAdapter, Lister | str]:
    """The source's adapter and what lists it, or why nothing can (a prefix that no longer parses, an
    undecryptable secret)."""
    async with host.sessionmaker() as session:
        source = await _source(session, source_id)
        adapter = adapter_for(source)
        try:
            return adapter, adapter.lister(host.box, host.settings, source)
        except ValueError as exc:
            return adapter, str(exc)


async def _list(lister: Lister | str) -> tuple[list[str] | None, str | None]:
    """(found, None), or (None, error message)."""
    if isinstance(lister, str):
        return None, lister[:MAX_MESSAGE]
    try:
        return await lister(), None
    except DiscoveryError as exc:
        return None, str(exc)[:MAX_MESSAGE]


async def _known(session: AsyncSession, kind: str) -> list[Known]:
    rows = await session.execute(
        select(Resource.id, Resource.target, Resource.discovered_by, Resource.enabled, Resource.gone_at).where(
            Resource.kind == kind
        )
    )
    return [Known(r.id, r.target, r.discovered_by, r.enabled, r.gone_at is not None) for r in rows]


def discovery_events(changes: Plan, touched: list[int], lost: str = "the image is no longer listed") -> list[Event]:
    """Found (created or back) and lost targets; ``touched`` is _apply's ids: reactivated, deactivated, created."""
    now = datetime.now(UTC)
    back, gone = len(changes.reactivate), len(changes.deactivate)
    found = [k.id for k in changes.reactivate] + touched[back + gone :]
    return [Event(DISCOVERY_FOUND, rid, now) for rid in found] + [
        Event(DISCOVERY_LOST, k.id, now, lost) for k in changes.deactivate
    ]


def _report(changes: Plan, dry_run: bool) -> SyncReport:
    return SyncReport(
        created=list(changes.create),
        reactivated=[k.target for k in changes.reactivate],
        deactivated=[k.target for k in changes.deactivate],
        unchanged=changes.unchanged,
        dry_run=dry_run,
    )


def _mark(source: DiscoverySource, report: SyncReport) -> None:
    source.last_sync_at = datetime.now(UTC)
    if report.error:
        source.last_sync_status, source.last_sync_message = "error", report.error
        return
    source.last_sync_status = "ok"
    source.last_sync_message = (
        f"{len(report.created)} created, {len(report.reactivated)} reactivated, "
        f"{len(report.deactivated)} deactivated, {report.unchanged} unchanged"
    )


async def _apply(session: AsyncSession, adapter: SourceAdapter, source: DiscoverySource, changes: Plan) -> list[int]:
    """Write the plan; returns the ids the scheduler must reload."""
    now = datetime.now(UTC)
    ids = [k.id for k in changes.reactivate] + [k.id for k in changes.deactivate]
    for known in changes.reactivate:
        await _set_state(session, known.id, enabled=True, gone_at=None)
    for known in changes.deactivate:
        await _set_state(session, known.id, enabled=False, gone_at=now)
    credential_id = await adapter.credential(session, source)
    for known in changes.reactivate:
        row = await session.get(Resource, known.id)
        if row is not None and row.discovered_by == source.id and credential_id is not None:
            row.credential_id = credential_id
    if changes.create:
        group_id = await ensure_group(session, source)
        rows = [adapter.new_resource(source, target, group_id, credential_id) for target in changes.create]
        session.add_all(rows)
        await session.flush()
        ids.extend(r.id for r in rows)
    return ids


async def _set_state(session: AsyncSession, resource_id: int, *, enabled: bool, gone_at: datetime | None) -> None:
    row = await session.get(Resource, resource_id)
    if row is not None:
        row.enabled, row.gone_at = enabled, gone_at


async def ensure_group(session: AsyncSession, source: DiscoverySource) -> int:
    """The source's group, created on first use and named after it (a suffix when the name is taken)."""
    if source.group_id is not None and await session.get(ResourceGroup, source.group_id) is not None:
        return source.group_id
    name = source.name
    taken = select(func.count()).select_from(ResourceGroup).where(func.lower(ResourceGroup.name) == name.lower())
    if (await session.execute(taken)).scalar_one():
        name = f"{source.name} (discovery {source.id})"[:200]
    group = ResourceGroup(name=name)
    session.add(group)
    await session.flush()
    source.group_id = group.id
    return group.id
