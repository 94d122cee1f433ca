"""The fleet's status for operators (docs/api.md, docs/fleet.md): locations and the workers in them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from kairos.api.schemas.common import ApiModel


class FleetLocationPublic(ApiModel):
    name: str
    up: bool = Field(description="Counts in quorum verdicts: one of its workers was seen within two heartbeats.")
    changed_at: datetime = Field(description="When it last went up or down (or first appeared).")
    workers: int = Field(description="Its live workers.")


class FleetWorkerPublic(ApiModel):
    id: str
    location: str
    host: str
    pid: int
    version: str
    started_at: datetime
    seen_at: datetime = Field(description="Its last heartbeat.")
    live: bool = Field(description="Seen within two heartbeat intervals.")
    leader: bool = Field(description="Runs the fleet's singleton jobs (discovery, housekeeping, notifications).")


class FleetStatus(ApiModel):
    locations: list[FleetLocationPublic] = Field(description="Every location a worker ran in. Empty: one process.")
    workers: list[FleetWorkerPublic] = Field(description="Workers seen within the last hour.")
