"""Discovery sources: registry prefixes whose images become DOCKER resources by themselves.

Deleting a source keeps the resources it created (their history matters): they are detached
(``discovered_by`` cleared) and stay in the source's group, which is kept too. The password is sealed with
the runtime's box and never returned, in any form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.common import MAX_ID
from kairos.api.schemas.discovery import (
    DiscoveredResource,
    DiscoverySourceCreate,
    DiscoverySourcePublic,
    DiscoverySourceUpdate,
    SyncReportPublic,
)
from kairos.crypto import SecretBox
from kairos.db.models import DiscoverySource, Resource
from kairos.discovery.sync import SyncReport, ensure_group
from kairos.errors import NotFound
from kairos.services.rows import get_or_not_found

if TYPE_CHECKING:
    from kairos.runtime import Runtime

WHAT = "discovery source"
# API field -> column, for the fields copied as they are.
_SIMPLE = {
    "name": "name",
    "prefix": "prefix",
    "recursive": "recursive",
    "tag_filter": "tag_filter",
    "interval_seconds": "interval_s",
    "parallelism": "parallelism",
    "username": "username",
    "insecure_http": "insecure_http",
    "skip_tls": "skip_tls",
    "active": "enabled",
}


def public(row: DiscoverySource) -> DiscoverySourcePublic:
    return DiscoverySourcePublic(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        recursive=row.recursive,
        tag_filter=row.tag_filter,
        interval_seconds=row.interval_s,
        parallelism=row.parallelism,
        username=row.username,
        has_password=row.secret_enc is not None,
        insecure_http=row.insecure_http,
        skip_tls=row.skip_tls,
        active=row.enabled,
        group_id=row.group_id,
        last_sync_at=row.last_sync_at,
        last_sync_status=row.last_sync_status,
        last_sync_message=row.last_sync_message,
        created_at=row.created_at,
    )


def _seal(box: SecretBox, password: str | None) -> bytes | None:
    return box.seal(password) if password is not None else None


async def list_sources(session: AsyncSession) -> list[DiscoverySourcePublic]:
    rows = (await session.execute(select(DiscoverySource).order_by(DiscoverySource.id))).scalars()
    return [public(r) for r in rows]


async def resource_counts(session: AsyncSession) -> dict[int, int]:
    """How many resources each source has created (gone ones included), by source id."""
    stmt = (
        select(Resource.discovered_by, func.count())
        .where(Resource.discovered_by.is_not(None))
        .group_by(Resource.discovered_by)
    )
    return {source_id: count for source_id, count in await session.execute(stmt) if source_id is not None}


async def create_source(session: AsyncSession, box: SecretBox, body: DiscoverySourceCreate) -> DiscoverySourcePublic:
    """The new source and its group (created at once, named after it); the loop syncs it within a minute."""
    row = DiscoverySource(**{col: getattr(body, f) for f, col in _SIMPLE.items()})
    row.secret_enc = _seal(box, body.password)
    session.add(row)
    await session.flush()
    await ensure_group(session, row)
    await session.commit()
    return public(row)


async def get_source(session: AsyncSession, source_id: int) -> DiscoverySourcePublic:
    return public(await get_or_not_found(session, DiscoverySource, source_id, WHAT))


async def update_source(
    session: AsyncSession, box: SecretBox, source_id: int, body: DiscoverySourceUpdate
) -> DiscoverySourcePublic:
    """Fields left out keep their value; ``password`` left out is kept, null removes it."""
    row = await get_or_not_found(session, DiscoverySource, source_id, WHAT)
    given = body.model_fields_set
    for field, column in _SIMPLE.items():
        if field in given:
            setattr(row, column, getattr(body, field))
    if "password" in given:
        row.secret_enc = _seal(box, body.password)
    await session.commit()
    return public(row)


async def delete_source(session: AsyncSession, source_id: int) -> None:
    row = await get_or_not_found(session, DiscoverySource, source_id, WHAT)
    await session.execute(update(Resource).where(Resource.discovered_by == row.id).values(discovered_by=None))
    await session.delete(row)
    await session.commit()


async def sync_now(runtime: Runtime, source_id: int, dry_run: bool) -> SyncReportPublic:
    """List the registry and apply the changes (or only report them); a registry failure is in the report."""
    if not 1 <= source_id <= MAX_ID:
        raise NotFound.of(WHAT)
    try:
        report = await _sync(runtime, source_id, dry_run)
    except LookupError:
        raise NotFound.of(WHAT) from None
    return SyncReportPublic(**{f: getattr(report, f) for f in SyncReportPublic.model_fields})


async def _sync(runtime: Runtime, source_id: int, dry_run: bool) -> SyncReport:
    return await runtime.syncs.run(runtime, source_id, dry_run=dry_run)  # one at a time, with the loop's


async def source_resources(session: AsyncSession, source_id: int) -> list[DiscoveredResource]:
    """The source's resources by id; gone images are inactive with ``goneAt`` set, never deleted."""
    row = await get_or_not_found(session, DiscoverySource, source_id, WHAT)
    rows = await session.execute(select(Resource).where(Resource.discovered_by == row.id).order_by(Resource.id))
    return [
        DiscoveredResource(id=r.id, name=r.name, target=r.target, active=r.enabled, gone_at=r.gone_at)
        for r in rows.scalars()
    ]
