"""Current status, timelines, uptime and latency samples."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from kairos.api.schemas.common import ApiModel

_PCT = "Percent of AVAILABLE among AVAILABLE + NOT_AVAILABLE checks; null when nothing was checked."


class TimelineBlock(ApiModel):
    status: str = Field(
        description="Worst status in the block: available, not-available, maintenance (a maintenance window was on "
        "and nothing failed outside it) or unknown (also when nothing was checked)."
    )
    timestamp: datetime = Field(description="Start of the block.")
    has_data: bool
    available: int
    not_available: int
    unknown: int
    latency_ms: float | None = Field(description="Average total latency in the block.")
    dns_resolution_ms: float | None
    connect_ms: float | None
    tls_handshake_ms: float | None


class StatusUpdate(ApiModel):
    resource_id: int
    current_status: str = Field(description="available, not-available, unknown or maintenance.")
    hours: int
    timeline_blocks: list[TimelineBlock] = Field(
        description="96 blocks, oldest first (15 min for 24 h, "
        "105 min for 7 days, 450 min for 30 days); empty unless "
        "`includeTimeline=true`."
    )
    uptime_percentage: float | None = Field(description=_PCT)
    active_outage_since: datetime | None


class Uptime(ApiModel):
    h24: float | None = Field(description=_PCT)
    d7: float | None = Field(description=_PCT)
    d30: float | None = Field(description=_PCT)


class LatencySample(ApiModel):
    timestamp: datetime = Field(description="Start of the averaged slot.")
    latency_ms: float | None
    dns_resolution_ms: float | None
    connect_ms: float | None
    tls_handshake_ms: float | None
