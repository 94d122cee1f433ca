"""``/api/discovery-sources``: registry prefixes whose images become DOCKER resources by themselves.

Deleting a source keeps the resources it created (their history matters): they are detached
(``discovered_by`` cleared) and stay in the source's group, which is kept too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select, update

from kairos.api.deps import RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import error_responses, not_found
from kairos.api.ids import PathId
from kairos.api.lookup import get_or_404
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
from kairos.discovery.sync import SyncReport, ensure_group, sync_source
from kairos.runtime import Runtime

router = APIRouter(prefix="/api/discovery-sources", tags=["discovery"])

_ADMIN = "Needs an admin. The password is never returned, in any form."
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


def _public(row: DiscoverySource) -> DiscoverySourcePublic:
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


@router.get(
    "", summary="List discovery sources", response_model=list[DiscoverySourcePublic], description=_ADMIN,
    responses=error_responses(401, 403),
)  # fmt: skip
async def list_sources(session: SessionDep, _: RequireAdmin) -> list[DiscoverySourcePublic]:
    rows = (await session.execute(select(DiscoverySource).order_by(DiscoverySource.id))).scalars()
    return [_public(r) for r in rows]


@router.post(
    "", status_code=201, summary="Create a discovery source", response_model=DiscoverySourcePublic,
    description=_ADMIN + " Its group is created at once, named after it; the loop syncs it within a minute "
    "(or call `POST …/{id}/sync`).",
    responses=error_responses(400, 401, 403, 422),
)  # fmt: skip
async def create_source(
    body: DiscoverySourceCreate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> DiscoverySourcePublic:
    row = DiscoverySource(**{col: getattr(body, f) for f, col in _SIMPLE.items()})
    row.secret_enc = _seal(runtime.box, body.password)
    session.add(row)
    await session.flush()
    await ensure_group(session, row)
    await session.commit()
    return _public(row)


@router.get(
    "/{source_id}", summary="Read a discovery source", response_model=DiscoverySourcePublic, description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def get_source(source_id: PathId, session: SessionDep, _: RequireAdmin) -> DiscoverySourcePublic:
    return _public(await get_or_404(session, DiscoverySource, source_id, "discovery source"))


@router.put(
    "/{source_id}", summary="Edit a discovery source", response_model=DiscoverySourcePublic,
    description=_ADMIN + " Fields left out keep their value (leave out `password` to keep it, null removes it).",
    responses=error_responses(400, 401, 403, 404, 422),
)  # fmt: skip
async def update_source(
    source_id: PathId, body: DiscoverySourceUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> DiscoverySourcePublic:
    row = await get_or_404(session, DiscoverySource, source_id, "discovery source")
    given = body.model_fields_set
    for field, column in _SIMPLE.items():
        if field in given:
            setattr(row, column, getattr(body, field))
    if "password" in given:
        row.secret_enc = _seal(runtime.box, body.password)
    await session.commit()
    return _public(row)


@router.delete(
    "/{source_id}", status_code=204, summary="Delete a discovery source",
    description=_ADMIN + " Its resources and group are kept; the resources are detached from the source.",
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def delete_source(source_id: PathId, session: SessionDep, _: RequireAdmin) -> Response:
    row = await get_or_404(session, DiscoverySource, source_id, "discovery source")
    await session.execute(update(Resource).where(Resource.discovered_by == row.id).values(discovered_by=None))
    await session.delete(row)
    await session.commit()
    return Response(status_code=204)


@router.post(
    "/{source_id}/sync", summary="Sync a discovery source now", response_model=SyncReportPublic,
    description=_ADMIN + " Lists the registry and applies the changes (or only reports them with `dryRun`). "
    "A registry failure is in `error` (and on the source), not an HTTP error.",
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def sync_now(
    source_id: PathId,
    runtime: RuntimeDep,
    _: RequireAdmin,
    dry_run: Annotated[bool, Query(alias="dryRun")] = False,
) -> SyncReportPublic:
    if not 1 <= source_id <= MAX_ID:
        raise not_found("discovery source")
    try:
        report = await _sync(runtime, source_id, dry_run)
    except LookupError:
        raise not_found("discovery source") from None
    return SyncReportPublic(**{f: getattr(report, f) for f in SyncReportPublic.model_fields})


async def _sync(runtime: Runtime, source_id: int, dry_run: bool) -> SyncReport:
    if runtime.discovery is not None:  # shares the loop's per-source lock
        return await runtime.discovery.sync(source_id, dry_run=dry_run)
    return await sync_source(runtime, source_id, dry_run=dry_run)


@router.get(
    "/{source_id}/resources", summary="Resources of a discovery source", response_model=list[DiscoveredResource],
    description=_ADMIN + " Gone images are inactive with `goneAt` set; they are never deleted.",
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def source_resources(source_id: PathId, session: SessionDep, _: RequireAdmin) -> list[DiscoveredResource]:
    row = await get_or_404(session, DiscoverySource, source_id, "discovery source")
    rows = await session.execute(select(Resource).where(Resource.discovered_by == row.id).order_by(Resource.id))
    return [
        DiscoveredResource(id=r.id, name=r.name, target=r.target, active=r.enabled, gone_at=r.gone_at)
        for r in rows.scalars()
    ]
