"""Per-kind scheduling settings, editable at run time."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from kairos.api.schemas.common import ApiModel, PartialModel
from kairos.api.schemas.resources import Quorum, ResourceType, Threshold, Timeout

Interval = Annotated[int, Field(ge=5, le=86_400, description="Seconds between checks, 5 s to 1 day.")]
Parallelism = Annotated[int, Field(ge=1, le=100, description="Checks of this kind running at once.")]


class ResourceTypePublic(ApiModel):
    resource_type: str
    interval_seconds: int
    parallelism: int
    timeout_seconds: float
    outage_threshold: int = Field(description="Consecutive failures that open an outage.")
    recovery_threshold: int = Field(description="Consecutive successes that close it.")
    quorum: str = Field(
        description="The fleet's verdict policy for resources of this kind that set none: `any`, `majority` "
        "(the default), `all` or a number. Matters only in a fleet of workers (docs/fleet.md)."
    )


class ResourceTypeUpdate(PartialModel):
    """Missing fields keep their current value; ``resourceType`` is required in the list form."""

    resource_type: ResourceType | None = None
    interval_seconds: Interval | None = None
    parallelism: Parallelism | None = None
    timeout_seconds: Timeout | None = None
    outage_threshold: Threshold | None = Field(None, description="Consecutive failures that open an outage.")
    recovery_threshold: Threshold | None = Field(None, description="Consecutive successes that close it.")
    quorum: Quorum | None = Field(
        None, description="The verdict policy of this kind's resources that set none (default `majority`)."
    )
