"""The heartbeat: a resource's last individual checks, and whether it is failing below its outage threshold."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from kairos.api.schemas.common import ApiModel


class RecentCheck(ApiModel):
    checked_at: datetime
    status: str = Field(description="available, not-available, unknown or maintenance.")
    latency_ms: float | None = Field(description="Total latency; null when the check got no answer.")
    message: str = Field(description="The status with its error code and HTTP status; never the target.")


class Failing(ApiModel):
    streak: int = Field(description="Failed checks in a row so far.")
    threshold: int = Field(description="Failed checks in a row that open an outage.")


class RecentChecks(ApiModel):
    resource_id: int
    capacity: int = Field(description="How many checks the server keeps per resource (50 to 100).")
    checks: list[RecentCheck] = Field(description="Oldest first, at most `capacity`.")
    failing: Failing | None = Field(
        description="Set while the latest check failed but fewer than `threshold` failed in a row (no outage yet)."
    )
