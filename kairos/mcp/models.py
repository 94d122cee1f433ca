"""Answers of the tools that have no REST twin (the others answer with the API's own models)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from kairos.api.schemas.certificates import CertificateInfo
from kairos.api.schemas.common import ApiModel
from kairos.api.schemas.history import HistoryItem
from kairos.api.schemas.status import Uptime


class LatestResult(ApiModel):
    status: str = Field(description="AVAILABLE, NOT_AVAILABLE or UNKNOWN.")
    checked_at: datetime | None
    message: str | None
    error_code: str | None
    latency_ms: float | None
    http_status: int | None


class ResourceStatus(ApiModel):
    resource_id: int
    name: str
    current_status: str = Field(description="available, not-available or unknown (also: not checked yet).")
    active_outage_since: datetime | None = Field(description="Start of the open outage, if any.")
    uptime: Uptime = Field(description="Percent available over 24 h, 7 d and 30 d; null without checks.")
    latest: LatestResult | None = Field(description="The latest check; null before the first one.")
    certificate: CertificateInfo | None = Field(
        None,
        description="The TLS certificate the last check saw (notAfter, issuer, subject, SANs, daysLeft, expiring); "
        "null without one, and for callers that may not see the target.",
    )


class HistoryPage(ApiModel):
    resource_id: int
    page: int = Field(description="0 is the newest page.")
    page_size: int
    has_more: bool = Field(description="True when an older page may follow.")
    items: list[HistoryItem] = Field(description="Check results, newest first.")


class DownResource(ApiModel):
    resource_id: int
    name: str
    resource_type: str
    current_status: str = Field(description="not-available, or available/unknown while an outage is still open.")
    failing_since: datetime | None = Field(
        description="The open outage's start, else the first failing check of the current streak."
    )
    active_outage_since: datetime | None
    last_checked_at: datetime | None
    message: str | None = Field(description="The latest check's message.")
    error_code: str | None


class StatusSummary(ApiModel):
    generated_at: datetime
    total: int = Field(description="Resources the caller may see that are switched on.")
    available: int
    not_available: int
    unknown: int = Field(description="Not checked yet, or Kairos could not tell.")
    down: list[DownResource] = Field(description="What fails now (or has an open outage), longest first.")
