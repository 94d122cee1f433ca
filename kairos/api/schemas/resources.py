"""Resources: what is monitored, as the original Java Kairos spelled it, plus per-kind ``options``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BeforeValidator, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from kairos.api.schemas.certificates import CertificateInfo
from kairos.api.schemas.common import (
    ApiModel,
    DisplayOrder,
    Id,
    InputModel,
    Name,
    PartialModel,
    Target,
)
from kairos.api.schemas.groups import GroupPublic
from kairos.api.schemas.push import PushToken
from kairos.api.schemas.tags import TagList, TagPublic
from kairos.fleet.quorum import MAX_K, POLICIES, check_policy
from kairos.probes.kinds import kind_names, spec_of
from kairos.settings import LOCATION_NAME


def _choices(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _known_kind(value: Any) -> str:
    """A registered kind (any case), refused with the message an enum would give; the registry is read at
    validation time, so a kind registered at run time is accepted too."""
    if isinstance(value, str):
        try:
            return str(spec_of(value.upper()).name)  # plain str: stored, dumped to YAML
        except ValueError:
            pass
    names = kind_names()
    expected = _choices(names)
    raise PydanticCustomError("enum", "Input should be {expected}", {"expected": expected})


def _kind_schema(schema: dict[str, Any]) -> None:
    schema["enum"] = kind_names()


ResourceType = Annotated[
    str,
    BeforeValidator(_known_kind),
    Field(description="HTTP, TCP or DOCKER.", json_schema_extra=_kind_schema),
]
Interval = Annotated[
    int,
    Field(
        ge=5,
        le=86_400,
        description="Seconds between checks, 5 s to 1 day; null uses the resource type's interval.",
    ),
]
Timeout = Annotated[
    float,
    Field(
        ge=1,
        le=300,
        description="Seconds before a check is cut, 1 to 300; null uses the resource type's timeout.",
    ),
]
MAX_LOCATIONS = 16
_FLEET = "Matters only in a fleet of workers on PostgreSQL (docs/fleet.md); a single process checks in `local`."


def _location_name(value: Any) -> str:
    if isinstance(value, str) and LOCATION_NAME.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("must be 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter or digit")


def _distinct(names: list[str]) -> list[str]:
    if not names:
        raise ValueError("must name at least one location (null means every live location)")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"lists '{name}' twice")
        seen.add(name)
    return names


def _quorum(value: Any) -> str:
    """The canonical spelling (``2`` and ``"2"`` alike are ``"2"``); a bool is not a number here."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"must be any, majority, all or a number from 1 to {MAX_K}")
    return check_policy(value)


LocationName = Annotated[str, BeforeValidator(_location_name)]
Locations = Annotated[
    list[LocationName],
    Field(
        max_length=MAX_LOCATIONS,
        description="The locations that check it, at most 16 names; null: every live location. " + _FLEET,
    ),
    AfterValidator(_distinct),
]
Quorum = Annotated[
    str,
    BeforeValidator(_quorum),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "enum": list(POLICIES)},
                {"type": "string", "pattern": "^[0-9]+$"},
                {"type": "integer", "minimum": 1, "maximum": MAX_K},
            ],
        }
    ),
    Field(
        description="How many of its live locations must see it available for the verdict: `any`, `majority`, "
        f"`all` or a number 1..{MAX_K} (capped at the number of live locations). " + _FLEET
    ),
]
_SKIP_TLS = AliasChoices("skipTLS", "skipTls", "skip_tls")
_SKIP_TLS_DOC = "Do not verify the target's TLS certificate."
_GROUP_IDS_DOC = "Put the resource in these groups (replaces its groups on update)."
_CREDENTIAL_DOC = (
    "Stored credentials (`/api/credentials`) for this resource; null uses the credential whose pattern matches "
    "the target, if any."
)


# The outbound route (docs/proxy.md); the service checks that a named proxy exists (422 on the field otherwise).
ProxyChoice = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
_PROXY_DOC = (
    "Outbound route: `default` (the default proxy's include/exclude rules; also null), `direct` (never through a "
    "proxy) or the name of a named proxy (`GET /api/proxies`)."
)


Threshold = Annotated[int, Field(ge=1, le=100)]
_OUTAGE_DOC = "Consecutive failures that open an outage, 1 to 100; null: its resource type's."
_RECOVERY_DOC = "Consecutive successes that close an outage, 1 to 100; null: its resource type's."
_UPSIDE_DOC = (
    "Upside-down: available when the check fails (the target must be down), not available (`upside_down`) when "
    "it passes; UNKNOWN stays UNKNOWN."
)


class ResourceCreate(InputModel):
    """Body of ``POST /api/resources`` (and of a full ``PUT``)."""

    name: Name
    resource_type: ResourceType
    target: Target = Field(description="HTTP: an http(s) URL. TCP: `host:port`. DOCKER: an image reference.")
    group_id: Id | None = Field(None, description="Put the resource in this group.")
    group_ids: list[Id] | None = Field(None, max_length=100, description=_GROUP_IDS_DOC)
    display_order: DisplayOrder = 0
    skip_tls: bool = Field(False, validation_alias=_SKIP_TLS, serialization_alias="skipTLS", description=_SKIP_TLS_DOC)
    recursive: bool = Field(False, description="DOCKER: also watch every tag below this reference.")
    active: bool = Field(True, description="Checked on its interval while true.")
    interval_seconds: Interval | None = None
    timeout_seconds: Timeout | None = None
    options: dict[str, Any] | None = Field(
        None, description="Per-kind options, validated by the kind's model; unknown fields are refused."
    )
    credential_id: Id | None = Field(None, description=_CREDENTIAL_DOC)
    locations: Locations | None = None
    quorum: Quorum | None = Field(None, description="Null: its resource type's quorum. " + _FLEET)
    proxy: ProxyChoice | None = Field(None, description=_PROXY_DOC)
    outage_threshold: Threshold | None = Field(None, description=_OUTAGE_DOC)
    recovery_threshold: Threshold | None = Field(None, description=_RECOVERY_DOC)
    upside_down: bool = Field(False, description=_UPSIDE_DOC)
    tags: TagList | None = None


class ResourceUpdate(PartialModel):
    """Body of ``PUT /api/resources/{id}``: the create body, any subset of it (missing fields are kept)."""

    nullable = frozenset(
        {
            "group_id",
            "group_ids",
            "interval_seconds",
            "timeout_seconds",
            "options",
            "credential_id",
            "locations",
            "quorum",
            "proxy",
            "outage_threshold",
            "recovery_threshold",
            "tags",
        }
    )

    name: Name | None = None
    resource_type: ResourceType | None = None
    target: Target | None = None
    group_id: Id | None = Field(None, description="Null with `groupIds` null or [] leaves all groups.")
    group_ids: list[Id] | None = Field(None, max_length=100, description=_GROUP_IDS_DOC)
    display_order: DisplayOrder | None = None
    skip_tls: bool | None = Field(
        None, validation_alias=_SKIP_TLS, serialization_alias="skipTLS", description=_SKIP_TLS_DOC
    )
    recursive: bool | None = None
    active: bool | None = None
    interval_seconds: Interval | None = None
    timeout_seconds: Timeout | None = None
    options: dict[str, Any] | None = None
    credential_id: Id | None = Field(None, description=_CREDENTIAL_DOC)
    locations: Locations | None = None
    quorum: Quorum | None = Field(None, description="Null: its resource type's quorum. " + _FLEET)
    proxy: ProxyChoice | None = Field(None, description=_PROXY_DOC)
    outage_threshold: Threshold | None = Field(None, description=_OUTAGE_DOC)
    recovery_threshold: Threshold | None = Field(None, description=_RECOVERY_DOC)
    upside_down: bool | None = Field(None, description=_UPSIDE_DOC)
    tags: TagList | None = None


class ResourcePublic(ApiModel):
    id: int
    name: str
    resource_type: str = Field(description="HTTP, TCP or DOCKER.")
    target: str | None = Field(description="Null for anonymous callers when the site hides targets.")
    skip_tls: bool = Field(alias="skipTLS")
    recursive: bool
    active: bool
    groups: list[GroupPublic]
    display_order: int
    created_at: datetime
    interval_seconds: int | None = Field(description="Override; null means the resource type's interval.")
    timeout_seconds: float | None = Field(description="Override; null means the resource type's timeout.")
    options: dict[str, Any] = Field(description="Per-kind options with their defaults filled in.")
    credential_id: int | None = Field(None, description="Its own stored credentials, if any (never the secret).")
    locations: list[str] | None = Field(
        None, description="The locations that check it; null: every live location. " + _FLEET
    )
    quorum: str | None = Field(
        None, description="`any`, `majority`, `all` or a number; null: its resource type's quorum. " + _FLEET
    )
    proxy: str | None = Field(
        "default", description="`default`, `direct` or a named proxy (docs/proxy.md); null when targets are hidden."
    )
    outage_threshold: int | None = Field(None, description=_OUTAGE_DOC)
    recovery_threshold: int | None = Field(None, description=_RECOVERY_DOC)
    upside_down: bool = Field(False, description=_UPSIDE_DOC)
    tags: list[TagPublic] = Field(default_factory=list, description="Key/value tags (docs/tags.md).")


class LocationStatus(ApiModel):
    """One location's latest result (the fleet; docs/fleet.md)."""

    location: str
    status: str = Field(description="AVAILABLE, NOT_AVAILABLE or UNKNOWN: the latest result from this location.")
    last_checked_at: datetime | None
    latency_ms: float | None
    message: str
    error_code: str | None


class ResourceDetail(ResourcePublic):
    current_status: str = Field(
        description="available, not-available, unknown (also: not checked yet) or maintenance (docs/maintenance.md)."
    )
    latest_check_status: str | None = Field(
        description="AVAILABLE, NOT_AVAILABLE or UNKNOWN; null before the first check."
    )
    latest_checked_at: datetime | None
    latest_message: str | None
    latest_error_code: str | None
    latest_latency_ms: float | None
    latest_http_status: int | None
    active_outage_since: datetime | None = Field(description="Start of the open outage, if any.")
    # Not ``locations``: that is the resource's configured list (ResourcePublic, the create/update body).
    location_status: list[LocationStatus] = Field(
        default_factory=list,
        description="In a fleet, each location's latest result, by location name (the status fields above are "
        "their quorum verdict); empty in a single process.",
    )
    push: PushToken | None = Field(
        None,
        description="PUSH resources, only in the answer that issued the token (create, or an edit to PUSH): the "
        "secret ping URL, shown this once (docs/push.md).",
    )
    certificate: CertificateInfo | None = Field(
        default=None,
        description="The TLS certificate the last check saw (HTTPS, TLS registries, TCP with tls); null without "
        "one, and for callers that may not see the target (its names are hosts).",
    )


class CheckNowResult(ApiModel):
    """The verdict of ``POST /api/resources/{id}/check``; it is also recorded in the history."""

    resource_id: int
    status: str = Field(description="AVAILABLE, NOT_AVAILABLE, UNKNOWN or MAINTENANCE.")
    current_status: str = Field(description="available, not-available, unknown or maintenance.")
    message: str
    error_code: str | None
    http_status: int | None
    latency_ms: float | None
    dns_resolution_ms: float | None
    connect_ms: float | None
    tls_handshake_ms: float | None
    time_to_first_byte_ms: float | None
    proxy_ms: float | None = Field(None, description="Connect to the proxy and its handshake; null when direct.")
    checked_at: datetime
    details: dict[str, Any]
