"""The instant check: one probe of a target that is not (yet) a resource, nothing stored."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, Field

from kairos.api.schemas.common import ApiModel, Id, InputModel, Target
from kairos.api.schemas.resources import ResourceType

MAX_TIMEOUT_S = 60.0

InstantTimeout = Annotated[
    float,
    Field(ge=1, le=MAX_TIMEOUT_S, description="Seconds before the check is cut, 1 to 60; default: the kind's timeout."),
]


class InstantCheckRequest(InputModel):
    """What to check: the fields of a resource that matter to one probe (same types and rules as creation)."""

    resource_type: ResourceType
    target: Target = Field(description="HTTP: an http(s) URL. TCP: `host:port`. DOCKER: an image reference.")
    skip_tls: bool = Field(
        False,
        validation_alias=AliasChoices("skipTLS", "skipTls", "skip_tls"),
        serialization_alias="skipTLS",
        description="Do not verify the target's TLS certificate.",
    )
    options: dict[str, Any] | None = Field(
        None, description="Per-kind options, validated by the kind's model; unknown fields are refused."
    )
    timeout_seconds: InstantTimeout | None = None
    credential_id: Id | None = Field(
        None,
        description="Admins only: stored credentials to send. Without it an admin's check uses the credential "
        "whose pattern matches the target; other callers' checks never send stored credentials.",
    )


class InstantCheckPhases(ApiModel):
    dns_ms: float | None = Field(description="Name resolution; null for an IP address target.")
    connect_ms: float | None = Field(description="TCP connect.")
    tls_ms: float | None = Field(description="TLS handshake; null without TLS.")
    first_byte_ms: float | None = Field(description="Request sent to the first response byte (HTTP).")
    total_ms: float | None = Field(description="The whole check, redirects included.")
    proxy_ms: float | None = Field(
        None, description="Connect to the proxy and its handshake (docs/proxy.md); null without a proxy."
    )


class InstantCheckResult(ApiModel):
    status: str = Field(description="AVAILABLE, NOT_AVAILABLE or UNKNOWN (Kairos itself failed).")
    message: str = Field(description="One line for humans.")
    error_code: str | None = Field(description="Stable code of a failure, e.g. `connect_refused`, `timeout`.")
    latency_ms: float | None = Field(description="Same as `phases.totalMs`.")
    http_status: int | None = Field(description="The final HTTP status code, if any.")
    phases: InstantCheckPhases
    details: dict[str, Any] = Field(
        description="Kind-specific facts: HTTP final URL and redirects; TCP address; images digest, media type, "
        "platforms, layer count, size, requests and each step."
    )
    timeout_seconds: float = Field(description="The timeout the check ran with.")
