"""``REGISTRY`` sources: a registry prefix listed into image references, which become DOCKER resources."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from sqlalchemy import select

from kairos.db.models import Credential, GroupMember, Resource
from kairos.net import parse_networks
from kairos.probes.base import Kind
from kairos.registry.discovery import ListOptions, list_images, parse_prefix, target_key
from kairos.registry.listing_artifactory import artifactory_of

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from kairos.crypto import SecretBox
    from kairos.db.models import DiscoverySource
    from kairos.discovery.adapters import Lister
    from kairos.settings import Settings


def list_options(box: SecretBox, settings: Settings, source: DiscoverySource) -> ListOptions:
    secret = box.open(source.secret_enc) if source.secret_enc else None
    return ListOptions(
        prefix=parse_prefix(source.prefix),
        recursive=source.recursive,
        tag_filter=source.tag_filter,
        # A GitHub token (ghcr.io) needs no user name; every other registry gets both.
        credential=(source.username or "", secret) if secret is not None else None,
        insecure_http=source.insecure_http,
        skip_tls=source.skip_tls,
        parallelism=source.parallelism,
        user_agent=settings.user_agent,
        latest_only=source.latest_only,
        policy=parse_networks(settings.denied_networks),
    )


class RegistrySource:
    resource_kind = Kind.DOCKER.value
    lost_message = "the image is no longer listed"

    def lister(self, box: SecretBox, settings: Settings, source: DiscoverySource) -> Lister:
        return functools.partial(list_images, list_options(box, settings, source))

    def normalise(self, target: str) -> str:
        return target_key(target)

    def new_resource(self, source: DiscoverySource, target: str, group_id: int, credential_id: int | None) -> Resource:
        name = target.split("/", 1)[1] if "/" in target else target  # "repo:tag", without the registry host
        return Resource(
            name=name[:200],
            kind=Kind.DOCKER.value,
            target=target,
            config={"insecureHttp": True} if source.insecure_http else {},
            enabled=True,
            skip_tls=source.skip_tls,
            discovered_by=source.id,
            credential_id=credential_id,
            memberships=[GroupMember(group_id=group_id)],
        )

    async def credential(self, session: AsyncSession, source: DiscoverySource) -> int | None:
        return await source_credential(session, source)


REGISTRY = RegistrySource()


def managed_credential_name(source_id: int) -> str:
    return f"discovery source {source_id}"


def _pattern(prefix: str) -> str:
    """What the found images' references look like: Artifactory's are ``host/<repoKey>/…``, not the prefix."""
    try:
        parsed = parse_prefix(prefix)
    except ValueError:
        return f"{prefix}/*"
    found = artifactory_of(parsed)
    return f"{parsed.registry}/{found.repo_key}/*" if found is not None else f"{prefix}/*"


async def source_credential(session: AsyncSession, source: DiscoverySource) -> int | None:
    """A stored credential holding the source's user and (still encrypted) password, kept in step with the
    source, so that the images it finds are checked with the credentials that listed them."""
    if not (source.username and source.secret_enc):
        return None
    name = managed_credential_name(source.id)
    row = (await session.execute(select(Credential).where(Credential.name == name))).scalars().first()
    if row is None:
        row = Credential(
            name=name,
            description="Managed by discovery: the credentials of the source.",
            pattern="",
            username="",
            secret_enc=b"",
        )
        session.add(row)
    row.pattern, row.username, row.secret_enc = _pattern(source.prefix), source.username, source.secret_enc
    await session.flush()
    return row.id
