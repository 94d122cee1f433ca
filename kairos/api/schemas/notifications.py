"""Notification channels, policies and deliveries (docs/notifications.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from kairos.api.schemas.common import ApiModel, Id, InputModel, Name, PartialModel

ChannelKind = Literal["APPRISE", "WEBHOOK"]
EventKind = Literal[
    "outage_opened",
    "outage_resolved",
    "digest_changed",
    "cert_expiring",
    "discovery_found",
    "discovery_lost",
    "location_down",
    "location_up",
]
MAX_EVENTS = 8  # every kind once
Scope = Literal["all", "groups", "resources"]
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=4096)]
Reminder = Annotated[int, Field(ge=60, le=7 * 86400)]

_URL_DOC = (
    "Write-only: an Apprise URL (`slack://…`, `mailto://…`, `ntfy://…`) or, for WEBHOOK, an http(s) URL that gets "
    "the JSON payload. Stored encrypted; the API only ever shows `urlHint` (its scheme)."
)
_EVENTS_DOC = (
    "Events sent to the channel: outage_opened, outage_resolved, digest_changed, cert_expiring, discovery_found/_lost, "
    "location_down/_up (the fleet; only policies of scope all get them)."
)
_SCOPE_DOC = "all: every resource; groups: resources in any of `scopeIds` (group ids); resources: those ids."
_REMINDER_DOC = "While an outage lasts, send a reminder this often (60 s to 7 days); null: never."


class ChannelCreate(InputModel):
    name: Name
    kind: ChannelKind = "APPRISE"
    url: Url = Field(description=_URL_DOC)
    active: bool = True


class ChannelUpdate(PartialModel):
    name: Name | None = None
    url: Url | None = Field(None, description=_URL_DOC + " Missing keeps it.")
    active: bool | None = None


class ChannelPublic(ApiModel):
    id: int
    name: str
    kind: str
    url_hint: str = Field(description="The URL's scheme only (`slack://…`); the URL itself is never returned.")
    active: bool
    created_at: datetime


class TestResult(ApiModel):
    ok: bool
    error: str | None = Field(None, description="Why the channel refused the message (no URL in it).")


class PolicyCreate(InputModel):
    name: Name
    channel_id: Id
    events: list[EventKind] = Field(min_length=1, max_length=MAX_EVENTS, description=_EVENTS_DOC)
    scope: Scope = Field("all", description=_SCOPE_DOC)
    scope_ids: list[Id] = Field(default_factory=list, max_length=1000)
    reminder_interval_seconds: Reminder | None = Field(None, description=_REMINDER_DOC)
    active: bool = True


class PolicyUpdate(PartialModel):
    nullable = frozenset({"reminder_interval_seconds"})

    name: Name | None = None
    channel_id: Id | None = None
    events: list[EventKind] | None = Field(None, min_length=1, max_length=MAX_EVENTS, description=_EVENTS_DOC)
    scope: Scope | None = Field(None, description=_SCOPE_DOC)
    scope_ids: list[Id] | None = Field(None, max_length=1000)
    reminder_interval_seconds: Reminder | None = Field(None, description=_REMINDER_DOC)
    active: bool | None = None


class PolicyPublic(ApiModel):
    id: int
    name: str
    channel_id: int
    events: list[str]
    scope: str
    scope_ids: list[int]
    reminder_interval_seconds: int | None
    active: bool
    created_at: datetime


class DeliveryPublic(ApiModel):
    id: int
    channel_id: int
    policy_id: int | None
    resource_id: int | None
    event: str
    status: str = Field(description="pending, sending, sent or dead.")
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    payload: dict[str, Any] = Field(description="The event as the JSON webhook receives it in `events`.")


class DeliveryPage(ApiModel):
    items: list[DeliveryPublic]
    total: int
    limit: int
    offset: int
