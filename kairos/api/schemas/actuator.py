"""Health and info bodies (Spring Boot actuator shapes, so existing probes and dashboards keep working)."""

from __future__ import annotations

from pydantic import Field

from kairos.api.schemas.common import ApiModel


class ComponentHealth(ApiModel):
    status: str = Field(description="UP, DOWN or DISABLED.")
    pending_results: int | None = Field(None, description="Scheduler: results waiting to be written.")
    message: str | None = None


class Health(ApiModel):
    status: str = Field(description="UP, or DOWN when the database or the scheduler is down (HTTP 503).")
    components: dict[str, ComponentHealth]


class AppInfo(ApiModel):
    name: str
    version: str


class Info(ApiModel):
    app: AppInfo
