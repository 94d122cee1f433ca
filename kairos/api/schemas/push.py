"""PUSH (heartbeat) resources: a new token, and the last ping as the API shows it (docs/push.md)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from kairos.api.schemas.common import ApiModel


class PushToken(ApiModel):
    """A freshly issued token: the only time it is shown. Store it where the job runs."""

    resource_id: int
    token: str = Field(description="The secret; Kairos keeps only its hash and cannot show it again.")
    push_url: str = Field(description="GET or POST it (optionally `/start` or `/fail`, `?status=down&msg=…`).")
    token_hint: str = Field(description="The token's first characters, as the resource page shows them.")


class PushStatus(ApiModel):
    """A PUSH resource's last ping. ``lastSource`` and ``lastBody`` only for admins and RESOURCE_MANAGE keys."""

    resource_id: int
    token_hint: str
    issued_at: datetime = Field(description="When the current token was issued (created or rotated).")
    last_ping_at: datetime | None
    last_signal: str | None = Field(description="`up` or `down` (a `/fail` ping is `down`).")
    last_message: str | None = Field(description="The `msg` of the last ping.")
    last_latency_ms: float | None = Field(description="`latencyMs` of the last ping, or the run time after /start.")
    started_at: datetime | None = Field(description="The last `/start` signal.")
    pings: int = Field(description="Pings received since the resource was created.")
    last_source: str | None = Field(None, description="The address the last ping came from (managers only).")
    last_body: str | None = Field(None, description="The start of the last ping's body (managers only).")
