"""``/api/discovery-sources``: registry prefixes whose images become DOCKER resources by themselves, and
Kubernetes/OpenShift clusters whose routes become HTTP resources.

Deleting a source keeps the resources it created (their history matters): they are detached
(``discovered_by`` cleared) and stay in the source's group, which is kept too. The rules are
:mod:`kairos.services.discovery_sources`'s; this is the HTTP adapter."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kairos.api.deps import RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
from kairos.api.schemas.discovery import (
    DiscoveredResource,
    DiscoverySourceCreate,
    DiscoverySourcePublic,
    DiscoverySourceUpdate,
    SyncReportPublic,
)
from kairos.services import discovery_sources as svc

router = APIRouter(prefix="/api/discovery-sources", tags=["discovery"])

_ADMIN = "Needs an admin. The password and the cluster token are never returned, in any form."


@router.get(
    "", summary="List discovery sources", response_model=list[DiscoverySourcePublic], description=_ADMIN,
    responses=error_responses(401, 403),
)  # fmt: skip
async def list_sources(session: SessionDep, _: RequireAdmin) -> list[DiscoverySourcePublic]:
    return await svc.list_sources(session)


@router.post(
    "", status_code=201, summary="Create a discovery source", response_model=DiscoverySourcePublic,
    description=_ADMIN + " `kind` REGISTRY needs `prefix`; KUBERNETES takes `apiUrl`, `token`, `caCertificate`, "
    "`namespaces`, `annotationOnly` and `objectKinds` instead (the other kind's fields are refused with 422). "
    "Its group is created at once, named after it; the loop syncs it within a minute (or call `POST …/{id}/sync`).",
    responses=error_responses(400, 401, 403, 422),
)  # fmt: skip
async def create_source(
    body: DiscoverySourceCreate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> DiscoverySourcePublic:
    return await svc.create_source(session, runtime.box, body)


@router.get(
    "/{source_id}", summary="Read a discovery source", response_model=DiscoverySourcePublic, description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def get_source(source_id: PathId, session: SessionDep, _: RequireAdmin) -> DiscoverySourcePublic:
    return await svc.get_source(session, source_id)


@router.put(
    "/{source_id}", summary="Edit a discovery source", response_model=DiscoverySourcePublic,
    description=_ADMIN + " Fields left out keep their value (leave out `password` or `token` to keep it, null "
    "removes it). The kind cannot change.",
    responses=error_responses(400, 401, 403, 404, 422),
)  # fmt: skip
async def update_source(
    source_id: PathId, body: DiscoverySourceUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> DiscoverySourcePublic:
    return await svc.update_source(session, runtime.box, source_id, body)


@router.delete(
    "/{source_id}", status_code=204, summary="Delete a discovery source",
    description=_ADMIN + " Its resources and group are kept; the resources are detached from the source.",
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def delete_source(source_id: PathId, session: SessionDep, _: RequireAdmin) -> Response:
    await svc.delete_source(session, source_id)
    return Response(status_code=204)


@router.post(
    "/{source_id}/sync", summary="Sync a discovery source now", response_model=SyncReportPublic,
    description=_ADMIN + " Lists the registry or cluster and applies the changes (or only reports them with "
    "`dryRun`). A listing failure is in `error` (and on the source), not an HTTP error.",
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def sync_now(
    source_id: PathId,
    runtime: RuntimeDep,
    _: RequireAdmin,
    dry_run: Annotated[bool, Query(alias="dryRun")] = False,
) -> SyncReportPublic:
    return await svc.sync_now(runtime, source_id, dry_run)


@router.get(
    "/{source_id}/resources", summary="Resources of a discovery source", response_model=list[DiscoveredResource],
    description=_ADMIN + " Gone images and routes are inactive with `goneAt` set; they are never deleted.",
    responses=error_responses(401, 403, 404, 422),
)  # fmt: skip
async def source_resources(source_id: PathId, session: SessionDep, _: RequireAdmin) -> list[DiscoveredResource]:
    return await svc.source_resources(session, source_id)
