"""The ``kairos/v1`` document: pydantic models that refuse unknown fields, so a typo is an error, not a no-op.

A later ``kairos/v2`` gets its own module and a converter from v1 in ``source.VERSIONS``; these models stay."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from kairos.api.schemas.common import Description, DisplayOrder, Name, Pattern, Target, Username
from kairos.api.schemas.discovery import ApiUrl, CaCertificate, Namespaces, ObjectKinds, Prefix, TagFilter
from kairos.api.schemas.discovery import Interval as SyncInterval
from kairos.api.schemas.discovery import Parallelism as SyncParallelism
from kairos.api.schemas.groups import Visibility
from kairos.api.schemas.notifications import MAX_EVENTS, ChannelKind, EventKind, Reminder
from kairos.api.schemas.resource_types import Interval as TypeInterval
from kairos.api.schemas.resource_types import Parallelism
from kairos.api.schemas.resources import Interval, Locations, Quorum, ResourceType, Threshold, Timeout
from kairos.api.schemas.status_pages import Description as StatusDescription
from kairos.api.schemas.status_pages import Domain, Slug
from kairos.api.schemas.tags import TagList
from kairos.config_as_code.secrets import check_reference

API_VERSION = "kairos/v1"
SecretRef = Annotated[Any, AfterValidator(check_reference)]


class Item(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class TypeItem(Item):
    resource_type: ResourceType
    interval_seconds: TypeInterval | None = None
    parallelism: Parallelism | None = None
    timeout_seconds: Timeout | None = None
    outage_threshold: Threshold | None = None
    recovery_threshold: Threshold | None = None
    quorum: Quorum | None = None  # left out: kept (default majority)


class GroupItem(Item):
    name: Name
    visibility: Visibility = "PUBLIC"
    order: DisplayOrder = 0
    members: list[Name] = Field(default_factory=list, description="Resource names, first shown first.")


class CredentialItem(Item):
    name: Name
    pattern: Pattern
    username: Username
    secret: SecretRef
    description: Description | None = None


class ResourceItem(Item):
    name: Name
    type: ResourceType
    target: Target
    skip_tls: bool = Field(False, alias="skipTLS")
    recursive: bool = False
    active: bool = True
    display_order: DisplayOrder = 0
    interval_seconds: Interval | None = None
    timeout_seconds: Timeout | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    groups: list[Name] = Field(default_factory=list)
    credential: Name | None = None
    # The fleet (docs/fleet.md): left out, every live location checks it with its type's quorum.
    locations: Locations | None = None
    quorum: Quorum | None = None
    # Outbound route (docs/proxy.md): left out, the default proxy rules; "direct" or a named proxy's name.
    proxy: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None
    # docs/http-checks.md: left out, its type's thresholds; upside-down is available when the target is down.
    outage_threshold: Threshold | None = None
    recovery_threshold: Threshold | None = None
    upside_down: bool = False
    # docs/tags.md: exactly these tags (left out: none); a colour left out keeps the tag's colour.
    tags: TagList = Field(default_factory=list)


class DiscoveryItem(Item):
    name: Name
    kind: Literal["REGISTRY", "KUBERNETES"] = "REGISTRY"
    prefix: Prefix | None = None  # REGISTRY only (and required there)
    recursive: bool = False
    tag_filter: TagFilter | None = None
    interval_seconds: SyncInterval = 3600
    parallelism: SyncParallelism = 1
    username: Username | None = None
    password: SecretRef | None = None
    insecure_http: bool = False
    skip_tls: bool = Field(False, alias="skipTLS")
    active: bool = True
    latest_only: bool = False
    # KUBERNETES only.
    api_url: ApiUrl | None = None
    token: SecretRef | None = None
    ca_certificate: CaCertificate | None = None
    namespaces: Namespaces = Field(default_factory=list)
    annotation_only: bool = False
    object_kinds: ObjectKinds | None = None


class AnnouncementItem(Item):
    kind: Literal["INFORMATION", "WARNING", "PROBLEM"] = "INFORMATION"
    content: Annotated[str, Field(min_length=1, max_length=20_000)]
    active: bool = True
    active_until: datetime | None = None


class ChannelItem(Item):
    name: Name
    kind: ChannelKind = "APPRISE"
    url: SecretRef = Field(description="The Apprise or webhook URL carries tokens: a reference, like any secret.")
    active: bool = True


class GroupScope(Item):
    groups: list[Name] = Field(max_length=1000)


class ResourceScope(Item):
    resources: list[Name] = Field(max_length=1000)


class PolicyItem(Item):
    name: Name
    channel: Name
    events: list[EventKind] = Field(min_length=1, max_length=MAX_EVENTS)
    scope: Literal["all"] | GroupScope | ResourceScope = "all"
    reminder_interval_seconds: Reminder | None = None
    active: bool = True


class StatusPageItem(Item):
    """A status page (docs/status-pages.md), by slug; its logo is an upload, kept by an import."""

    slug: Slug
    title: Name
    description: StatusDescription = ""
    domain: Domain | None = None
    groups: list[Name] = Field(default_factory=list, max_length=100, description="Group names, first shown first.")


class MaintenanceItem(Item):
    """A maintenance window (docs/maintenance.md), by title; checked like an API body at import."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""
    schedule: str = "ONCE"
    starts_at: datetime
    ends_at: datetime | None = None
    weekdays: list[str] = Field(default_factory=list, max_length=7)
    start_time: str | None = None
    duration_minutes: int | None = None
    cron: str | None = None
    timezone: str = "UTC"
    scope: Literal["all"] | GroupScope | ResourceScope = "all"


class KairosConfig(Item):
    """The whole document. Objects are identified by name (resource types by type, announcements by content)."""

    api_version: Literal["kairos/v1"]
    kind: Literal["KairosConfig"]
    resource_types: list[TypeItem] = Field(default_factory=list)
    groups: list[GroupItem] = Field(default_factory=list)
    credentials: list[CredentialItem] = Field(default_factory=list)
    resources: list[ResourceItem] = Field(default_factory=list)
    discovery_sources: list[DiscoveryItem] = Field(default_factory=list)
    announcements: list[AnnouncementItem] = Field(default_factory=list)
    # A v1 document without these sections leaves notifications untouched.
    notification_channels: list[ChannelItem] = Field(default_factory=list)
    notification_policies: list[PolicyItem] = Field(default_factory=list)
    status_pages: list[StatusPageItem] = Field(default_factory=list)  # left out: status pages untouched
    maintenance: list[MaintenanceItem] = Field(default_factory=list)  # left out: maintenance windows untouched


UNIQUE = {
    "resourceTypes": "resource_type",
    "groups": "name",
    "credentials": "name",
    "resources": "name",
    "discoverySources": "name",
    "announcements": "content",
    "notificationChannels": "name",
    "notificationPolicies": "name",
    "statusPages": "slug",
    "maintenance": "title",
}
