"""Discovery sources: registry prefixes whose images become DOCKER resources by themselves, and Kubernetes
clusters whose routes become HTTP resources.

Deleting a source keeps the resources it created (their history matters): they are detached
(``discovered_by`` cleared) and stay in the source's group, which is kept too. The password and the cluster
token are sealed with the runtime's box and never returned, in any form. The rules between fields (which
fields a kind takes) are :func:`check_source`'s, shared with config-as-code."""

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
from kairos.discovery.adapters import SourceKind
from kairos.discovery.kube_objects import KINDS
from kairos.discovery.sync import SyncReport, ensure_group
from kairos.errors import Invalid, NotFound
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
    "latest_only": "latest_only",
    "api_url": "api_url",
    "ca_certificate": "ca_pem",
    "annotation_only": "annotation_only",
    "object_kinds": "object_kinds",
}
# Fields only one kind takes: (API name, column, the column's neutral value).
_REGISTRY_ONLY = (
    ("recursive", "recursive", False), ("tagFilter", "tag_filter", None), ("username", "username", None),
    ("password", "secret_enc", None), ("insecureHttp", "insecure_http", False), ("latestOnly", "latest_only", False),
)  # fmt: skip
_KUBERNETES_ONLY = (
    ("apiUrl", "api_url", None), ("token", "token_enc", None), ("caCertificate", "ca_pem", None),
    ("namespaces", "namespaces", None), ("annotationOnly", "annotation_only", False),
    ("objectKinds", "object_kinds", None),
)  # fmt: skip


def check_source(row: DiscoverySource) -> None:
    """Raise :class:`Invalid` (with the field) when the source mixes the fields of the two kinds."""
    kubernetes = row.kind == SourceKind.KUBERNETES
    if not kubernetes and not row.prefix:
        raise Invalid("prefix: is required for a REGISTRY source", field="prefix")
    if kubernetes and row.prefix:
        raise Invalid("prefix: only REGISTRY sources have a prefix", field="prefix")
    other, kind = (_REGISTRY_ONLY, "REGISTRY") if kubernetes else (_KUBERNETES_ONLY, "KUBERNETES")
    for field, column, neutral in other:
        if getattr(row, column) not in (neutral, []):
            raise Invalid(f"{field}: only for {kind} sources", field=field)
    if row.token_enc is not None and not row.api_url:
        raise Invalid("token: needs apiUrl (without apiUrl the pod's own service account is used)", field="token")


def public(row: DiscoverySource) -> DiscoverySourcePublic:
    return DiscoverySourcePublic(
        id=row.id,
        name=row.name,
        kind=row.kind,
        prefix=row.prefix or None,
        recursive=row.recursive,
        tag_filter=row.tag_filter,
        interval_seconds=row.interval_s,
        parallelism=row.parallelism,
        username=row.username,
        has_password=row.secret_enc is not None,
        insecure_http=row.insecure_http,
        skip_tls=row.skip_tls,
        active=row.enabled,
        latest_only=row.latest_only,
        api_url=row.api_url,
        has_token=row.token_enc is not None,
        ca_certificate=row.ca_pem,
        namespaces=list(row.namespaces or []),
        annotation_only=row.annotation_only,
        object_kinds=list(row.object_kinds or KINDS),
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
    row.kind, row.prefix = body.kind.value, body.prefix or ""
    row.namespaces = body.namespaces or None
    row.secret_enc, row.token_enc = _seal(box, body.password), _seal(box, body.token)
    check_source(row)
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
    """Fields left out keep their value; ``password`` and ``token`` left out are kept, null removes them. The
    kind cannot change (the resources made so far are of the old kind)."""
    row = await get_or_not_found(session, DiscoverySource, source_id, WHAT)
    given = body.model_fields_set
    if body.kind is not None and body.kind != row.kind:
        raise Invalid("kind: cannot be changed; create another source", field="kind")
    for field, column in _SIMPLE.items():
        if field in given:
            setattr(row, column, getattr(body, field))
    if "namespaces" in given:
        row.namespaces = body.namespaces or None
    if "password" in given:
        row.secret_enc = _seal(box, body.password)
    if "token" in given:
        row.token_enc = _seal(box, body.token)
    try:
        check_source(row)
    except Invalid:
        await session.rollback()  # the row is changed in memory: nothing of it may be written
        raise
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
    """The source's resources by id; gone images and routes are inactive with ``goneAt`` set, never deleted."""
    row = await get_or_not_found(session, DiscoverySource, source_id, WHAT)
    rows = await session.execute(select(Resource).where(Resource.discovered_by == row.id).order_by(Resource.id))
    return [
        DiscoveredResource(id=r.id, name=r.name, target=r.target, active=r.enabled, gone_at=r.gone_at)
        for r in rows.scalars()
    ]
