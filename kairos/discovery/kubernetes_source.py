"""``KUBERNETES`` sources: a cluster's Routes, Ingresses and HTTPRoutes listed into URLs, which become HTTP
resources (:mod:`kairos.discovery.kubernetes`)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kairos.db.models import GroupMember, Resource
from kairos.discovery.kubernetes import KubeOptions, list_urls
from kairos.net import parse_networks
from kairos.probes.base import Kind

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from kairos.crypto import SecretBox
    from kairos.db.models import DiscoverySource
    from kairos.discovery.adapters import Lister
    from kairos.settings import Settings

_DEFAULT_PORTS = {"http": 80, "https": 443}


def kube_options(box: SecretBox, settings: Settings, source: DiscoverySource) -> KubeOptions:
    return KubeOptions(
        api_url=source.api_url or None,
        # Without a URL the pod's own service account is used; a stored token never goes elsewhere.
        token=box.open(source.token_enc) if source.token_enc and source.api_url else None,
        ca_pem=source.ca_pem,
        skip_tls=source.skip_tls,
        namespaces=tuple(source.namespaces or ()),
        annotation_only=source.annotation_only,
        kinds=tuple(source.object_kinds or ()),
        user_agent=settings.user_agent,
        policy=parse_networks(settings.denied_networks),
    )


def url_key(target: str) -> str:
    """``HTTPS://Shop.example.com:443/`` and ``https://shop.example.com/`` are one resource."""
    try:
        parts = urlsplit(target.strip())
        port = parts.port
    except ValueError:
        return target.strip()
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


class KubernetesSource:
    resource_kind = Kind.HTTP.value
    lost_message = "the route is no longer listed"

    def lister(self, box: SecretBox, settings: Settings, source: DiscoverySource) -> Lister:
        return functools.partial(list_urls, kube_options(box, settings, source))

    def normalise(self, target: str) -> str:
        return url_key(target)

    def new_resource(self, source: DiscoverySource, target: str, group_id: int, credential_id: int | None) -> Resource:
        return Resource(
            name=target.split("://", 1)[-1][:200],  # "shop.example.com/api"
            kind=Kind.HTTP.value,
            target=target,
            config={},
            enabled=True,
            skip_tls=False,  # the source's switch is for the cluster API, not for the routes
            discovered_by=source.id,
            credential_id=credential_id,
            memberships=[GroupMember(group_id=group_id)],
        )

    async def credential(self, session: AsyncSession, source: DiscoverySource) -> int | None:
        return None


KUBERNETES = KubernetesSource()
