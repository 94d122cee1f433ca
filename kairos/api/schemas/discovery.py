"""Discovery sources: a registry prefix listed periodically, whose images become DOCKER resources, or a
Kubernetes cluster, whose Routes, Ingresses and HTTPRoutes become HTTP resources.

Per-field rules are here; the rules between fields (a prefix only for REGISTRY, the Kubernetes fields only for
KUBERNETES, …) need the stored source on an edit and are the service's (``check_source``)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, AliasChoices, Field, StringConstraints

from kairos.api.schemas.common import ApiModel, InputModel, Name, PartialModel, Pattern, Username
from kairos.discovery.adapters import SourceKind
from kairos.discovery.kubernetes import ca_context
from kairos.registry.discovery import DiscoveryError, compile_tag_filter, parse_prefix


def _prefix(value: str) -> str:
    return str(parse_prefix(value))


def _tag_filter(value: str) -> str:
    compile_tag_filter(value)
    return value


_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")  # a DNS-1123 label, as Kubernetes requires


def _api_url(value: str) -> str:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError("is not a URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL, e.g. https://api.cluster.example.com:6443")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise ValueError("must not carry credentials, a query or a fragment (the token is a field of its own)")
    return value.rstrip("/")


def _namespace(value: str) -> str:
    if not _NAMESPACE.match(value):
        raise ValueError("is not a namespace name (lower-case letters, digits and '-', at most 63)")
    return value


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _ca(value: str) -> str:
    try:
        ca_context(value)
    except DiscoveryError as exc:
        raise ValueError(str(exc)) from None
    return value


Prefix = Annotated[Pattern, AfterValidator(_prefix)]
ApiUrl = Annotated[Pattern, AfterValidator(_api_url)]
Namespace = Annotated[str, StringConstraints(strip_whitespace=True, max_length=63), AfterValidator(_namespace)]
Namespaces = Annotated[list[Namespace], Field(max_length=100), AfterValidator(_unique)]
ObjectKind = Literal["ROUTE", "INGRESS", "HTTPROUTE"]
ObjectKinds = Annotated[list[ObjectKind], Field(min_length=1, max_length=3), AfterValidator(_unique)]
CaCertificate = Annotated[str, StringConstraints(strip_whitespace=True, max_length=65536), AfterValidator(_ca)]
Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16384)]
TagFilter = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), AfterValidator(_tag_filter)
]
Interval = Annotated[int, Field(ge=60, le=7 * 86400)]
Parallelism = Annotated[int, Field(ge=1, le=16)]
Secret = Annotated[str, StringConstraints(max_length=4096)]

_PREFIX_DOC = "Registry and namespace, e.g. `registry.example.com:5000/team` (or just the registry)."
_RECURSIVE_DOC = "false: only direct children (`team/app`); true: any depth (`team/a/b/app`)."
_FILTER_DOC = "Glob (`v*`), or a regular expression after `re:` (`re:^v[0-9]+$`); null: every tag."
# Spelled like the resources' field (skipTLS), other spellings accepted.
_SKIP_TLS = AliasChoices("skipTLS", "skipTls", "skip_tls")
_SECRET_DOC = "Write-only: stored encrypted, never returned by the API."
_KIND_DOC = "`REGISTRY` (a registry prefix; DOCKER resources) or `KUBERNETES` (a cluster's routes; HTTP resources)."
_LATEST_DOC = "REGISTRY only: keep only the newest tag of each repository (version order, else newest pushed)."
_API_URL_DOC = "KUBERNETES only: the cluster API, e.g. `https://api.cluster.example.com:6443`; null: in-cluster."
_TOKEN_DOC = "KUBERNETES only: a bearer token for `apiUrl`. " + _SECRET_DOC
_CA_DOC = "KUBERNETES only: PEM CA certificate(s) the cluster API's certificate is checked against."
_NS_DOC = "KUBERNETES only: namespaces to list; empty: every namespace."
_ANNOTATION_DOC = 'KUBERNETES only: only objects annotated `kairos.wenisch.tech/scrape: "true"`.'
_KINDS_DOC = "KUBERNETES only: which objects to list; default all three (an API the cluster lacks is skipped)."


class DiscoverySourceCreate(InputModel):
    name: Name
    kind: SourceKind = Field(SourceKind.REGISTRY, description=_KIND_DOC)
    prefix: Prefix | None = Field(None, description=_PREFIX_DOC + " Required for REGISTRY sources.")
    recursive: bool = Field(False, description=_RECURSIVE_DOC)
    tag_filter: TagFilter | None = Field(None, description=_FILTER_DOC)
    interval_seconds: Interval = Field(3600, description="Seconds between syncs (60 to 604800).")
    parallelism: Parallelism = Field(1, description="Repositories whose tags are listed at once (1 to 16).")
    username: Username | None = None
    password: Secret | None = Field(None, description=_SECRET_DOC)
    insecure_http: bool = Field(False, description="Plain HTTP to the registry (also for the resources).")
    skip_tls: bool = Field(
        False, validation_alias=_SKIP_TLS, description="Do not verify the registry's (or cluster API's) certificate."
    )
    active: bool = Field(True, description="Inactive sources are not synced by the loop.")
    latest_only: bool = Field(False, description=_LATEST_DOC)
    api_url: ApiUrl | None = Field(None, description=_API_URL_DOC)
    token: Token | None = Field(None, description=_TOKEN_DOC)
    ca_certificate: CaCertificate | None = Field(None, description=_CA_DOC)
    namespaces: Namespaces = Field(default_factory=list, description=_NS_DOC)
    annotation_only: bool = Field(False, description=_ANNOTATION_DOC)
    object_kinds: ObjectKinds | None = Field(None, description=_KINDS_DOC)


class DiscoverySourceUpdate(PartialModel):
    nullable = frozenset({"tag_filter", "username", "password", "api_url", "token", "ca_certificate", "object_kinds"})

    name: Name | None = None
    kind: SourceKind | None = Field(None, description="Cannot change: create another source.")
    prefix: Prefix | None = Field(None, description=_PREFIX_DOC)
    recursive: bool | None = None
    tag_filter: TagFilter | None = Field(None, description=_FILTER_DOC)
    interval_seconds: Interval | None = None
    parallelism: Parallelism | None = None
    username: Username | None = None
    password: Secret | None = Field(None, description=_SECRET_DOC + " Missing keeps it; null removes it.")
    insecure_http: bool | None = None
    skip_tls: bool | None = Field(None, validation_alias=_SKIP_TLS)
    active: bool | None = None
    latest_only: bool | None = None
    api_url: ApiUrl | None = Field(None, description=_API_URL_DOC)
    token: Token | None = Field(None, description=_TOKEN_DOC + " Missing keeps it; null removes it.")
    ca_certificate: CaCertificate | None = None
    namespaces: Namespaces | None = None
    annotation_only: bool | None = None
    object_kinds: ObjectKinds | None = None


class DiscoverySourcePublic(ApiModel):
    id: int
    name: str
    kind: str
    prefix: str | None = Field(description="null for KUBERNETES sources.")
    recursive: bool
    tag_filter: str | None
    interval_seconds: int
    parallelism: int
    username: str | None
    has_password: bool
    insecure_http: bool
    skip_tls: bool = Field(serialization_alias="skipTLS")
    active: bool
    latest_only: bool
    api_url: str | None = Field(description="KUBERNETES: null means the cluster Kairos runs in.")
    has_token: bool
    ca_certificate: str | None
    namespaces: list[str]
    annotation_only: bool
    object_kinds: list[str]
    group_id: int | None
    last_sync_at: datetime | None
    last_sync_status: str | None = Field(description="`ok`, `error`, or null before the first sync.")
    last_sync_message: str | None
    created_at: datetime


class SyncReportPublic(ApiModel):
    created: list[str]
    reactivated: list[str]
    deactivated: list[str]
    unchanged: int
    error: str | None
    dry_run: bool


class DiscoveredResource(ApiModel):
    id: int
    name: str
    target: str
    active: bool
    gone_at: datetime | None = Field(description="When the image:tag (or route) left the source; null while present.")
