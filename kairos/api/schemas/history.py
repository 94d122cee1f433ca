"""Raw check history and outages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from kairos.api.schemas.common import ApiModel


class HistoryItem(ApiModel):
    id: int = Field(
        description="The check time in ms since the epoch; unique per (resource, location): in a fleet two "
        "locations may record the same millisecond."
    )
    resource_id: int
    location: str = Field(description="Where it was checked: `local` for a single process; a worker's location.")
    status: str = Field(description="AVAILABLE, NOT_AVAILABLE, UNKNOWN or MAINTENANCE (docs/maintenance.md).")
    checked_at: datetime
    message: str
    error_code: str | None = Field(description="Stable failure code, e.g. `connect_refused`, `http_status`.")
    http_status: int | None
    latency_ms: float | None = Field(description="Total time of the check.")
    dns_resolution_ms: float | None
    connect_ms: float | None
    tls_handshake_ms: float | None
    time_to_first_byte_ms: float | None
    proxy_ms: float | None = Field(None, description="Connect to the proxy and its handshake; null when direct.")
    details: dict[str, Any] | None


class OutagePublic(ApiModel):
    id: int
    resource_id: int
    resource_name: str
    resource_type: str
    start_date: datetime = Field(description="The first failing check of the streak that opened it.")
    end_date: datetime | None = Field(description="Null while the outage is active.")
    active: bool
    duration_minutes: int = Field(description="Whole minutes, up to now while active.")
    error_code: str | None
    message: str
