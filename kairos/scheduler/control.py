"""What the serving process's routes, services and jobs may ask of "the scheduler".

In one process it is the scheduler itself (kairos.scheduler.loop.Scheduler); on a web node of the fleet it is
kairos.fleet.control.FleetControl, which checks nothing and hands each change to the workers through the
database. Typing ``Runtime.scheduler`` with this protocol lets mypy prove every caller works with both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from kairos.probes.base import ProbeResult
from kairos.scheduler.catalog import Scheduled, TypeSettings


class Backlog(Protocol):
    @property
    def pending(self) -> int:
        """Results waiting to be written (0 where nothing is recorded)."""
        ...


class SchedulerControl(Protocol):
    @property
    def types(self) -> Mapping[str, TypeSettings]: ...

    @property
    def resources(self) -> Mapping[int, Scheduled]: ...

    @property
    def recorder(self) -> Backlog: ...

    @property
    def alive(self) -> bool: ...

    async def load(self) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def interval_of(self, res: Scheduled) -> float: ...

    def timeout_of(self, res: Scheduled) -> float: ...

    async def resource_changed(self, resource_id: int) -> None:
        """A resource was created or edited (committed): check it at once with its new settings."""
        ...

    def resource_deleted(self, resource_id: int) -> None:
        """A resource was deleted (committed): forget it."""
        ...

    async def reload_type_settings(self) -> None: ...

    async def caches_changed(self) -> None:
        """Credentials or notification policies were edited and reloaded here: other processes reload theirs."""
        ...

    async def flush_results(self) -> None:
        """Write what was recorded now (nothing to write where nothing is checked)."""
        ...

    async def check_now(self, resource_id: int) -> ProbeResult | None:
        """Check it now and return the result; None for a resource that is not scheduled."""
        ...
