"""What differs between kinds of discovery source: how a source is listed and what its finds become.

A sync (:mod:`kairos.discovery.sync`) is the same for every kind: list, plan against the resources of the
adapter's resource kind, apply, archive what is gone. ``REGISTRY`` sources list image references and make
DOCKER resources; ``KUBERNETES`` sources list URLs and make HTTP resources."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from kairos.crypto import SecretBox
    from kairos.db.models import DiscoverySource, Resource
    from kairos.settings import Settings

Lister = Callable[[], Awaitable[list[str]]]


class SourceKind(StrEnum):
    REGISTRY = "REGISTRY"
    KUBERNETES = "KUBERNETES"


class SourceAdapter(Protocol):
    resource_kind: str  # the Kind of the resources it creates
    lost_message: str  # the discovery_lost event's words

    def lister(self, box: SecretBox, settings: Settings, source: DiscoverySource) -> Lister:
        """What lists the source (no database needed); ``ValueError`` when the stored settings are unusable."""
        ...

    def normalise(self, target: str) -> str:
        """The form two targets are compared in (existing resources match whoever created them)."""
        ...

    def new_resource(
        self, source: DiscoverySource, target: str, group_id: int, credential_id: int | None
    ) -> Resource: ...

    async def credential(self, session: AsyncSession, source: DiscoverySource) -> int | None:
        """The stored credential the source's resources are checked with, kept in step with the source."""
        ...


def adapter_for(source: DiscoverySource) -> SourceAdapter:
    from kairos.discovery.kubernetes_source import KUBERNETES
    from kairos.discovery.registry_source import REGISTRY

    return KUBERNETES if source.kind == SourceKind.KUBERNETES else REGISTRY
