"""Discovery sources: a registry prefix listed periodically; its images become DOCKER resources."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AliasChoices, Field, StringConstraints

from kairos.api.schemas.common import ApiModel, InputModel, Name, PartialModel, Pattern, Username
from kairos.registry.discovery import compile_tag_filter, parse_prefix


def _prefix(value: str) -> str:
    return str(parse_prefix(value))


def _tag_filter(value: str) -> str:
    compile_tag_filter(value)
    return value


Prefix = Annotated[Pattern, AfterValidator(_prefix)]
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


class DiscoverySourceCreate(InputModel):
    name: Name
    prefix: Prefix = Field(description=_PREFIX_DOC)
    recursive: bool = Field(False, description=_RECURSIVE_DOC)
    tag_filter: TagFilter | None = Field(None, description=_FILTER_DOC)
    interval_seconds: Interval = Field(3600, description="Seconds between syncs (60 to 604800).")
    parallelism: Parallelism = Field(1, description="Repositories whose tags are listed at once (1 to 16).")
    username: Username | None = None
    password: Secret | None = Field(None, description=_SECRET_DOC)
    insecure_http: bool = Field(False, description="Plain HTTP to the registry (also for the resources).")
    skip_tls: bool = Field(False, validation_alias=_SKIP_TLS, description="Do not verify the registry's certificate.")
    active: bool = Field(True, description="Inactive sources are not synced by the loop.")


class DiscoverySourceUpdate(PartialModel):
    nullable = frozenset({"tag_filter", "username", "password"})

    name: Name | None = None
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


class DiscoverySourcePublic(ApiModel):
    id: int
    name: str
    prefix: str
    recursive: bool
    tag_filter: str | None
    interval_seconds: int
    parallelism: int
    username: str | None
    has_password: bool
    insecure_http: bool
    skip_tls: bool = Field(serialization_alias="skipTLS")
    active: bool
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
    gone_at: datetime | None = Field(description="When the image:tag left the registry; null while present.")
