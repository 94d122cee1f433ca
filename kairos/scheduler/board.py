"""The live board: the read model of "how is every resource right now".

It owns the current state of each resource, the in-memory uptime windows and the 24-hour timeline, and tells the
live stream which resource changed. Its one input is :meth:`LiveBoard.record`, "a result was recorded for
resource R, and this is its state afterwards": the local scheduler calls it in one process; a feed from the
database (PostgreSQL notifications, the fleet) can call it just the same, since nothing here knows who checked.
The verdict (streaks, outages) is computed by whoever feeds the board (kairos.scheduler.state.apply_result);
the board stores what it is told and never decides.

Readers (API, pages, badges, stream, metrics) read only from here. It imports nothing of the scheduler's loop."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.probes.base import ProbeResult, Status
from kairos.rollups.live import LiveUptime
from kairos.rollups.live_timeline import LiveTimeline
from kairos.rollups.timeline import Block
from kairos.scheduler.catalog import load_states
from kairos.scheduler.recent import Beat, RecentChecks
from kairos.scheduler.state import RuntimeState as RuntimeState  # readers type against the board

Changed = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class LocationView:
    """One location's latest result and streaks for a resource (the fleet's votes; a single process has none)."""

    location: str
    status: Status
    last_checked_at: datetime | None
    latency_ms: float | None
    message: str
    error_code: str | None
    http_status: int | None
    fail_streak: int = 0
    ok_streak: int = 0
    streak_started_at: datetime | None = None


def _ignore(resource_id: int) -> None:
    """No live stream attached (a CLI run, a benchmark)."""


class LiveBoard:
    def __init__(self, on_change: Changed = _ignore) -> None:
        # Told the id of each resource whose state just changed (the live stream); must not block.
        self._on_change = on_change
        self._states: dict[int, RuntimeState] = {}
        self._locations: dict[int, dict[str, LocationView]] = {}
        self.uptime = LiveUptime()
        self.timeline = LiveTimeline()
        self.recent = RecentChecks()  # the heartbeat bar: each resource's last checks

    # -- input --------------------------------------------------------------------------------------------

    async def load(self, session: AsyncSession, now_ts: float) -> None:
        """Seed from the database at start: last states, open outages, rollups of the windows and timeline."""
        states = await load_states(session)
        self._states.clear()  # in place: a reader holding ``states`` keeps seeing the live mapping
        self._states.update(states)
        await self.uptime.load(session, now_ts)
        await self.timeline.load(session, now_ts)
        await self.recent.load(session, now_ts)

    def record(self, resource_id: int, result: ProbeResult, state_after: RuntimeState) -> None:
        """A result was recorded for ``resource_id``; ``state_after`` is its state with that result folded in."""
        self._states[resource_id] = state_after
        self.uptime.add(resource_id, result.status)
        self.timeline.add(resource_id, result)
        self.recent.add(resource_id, result)
        self._on_change(resource_id)

    def forget(self, resource_id: int) -> None:
        """The resource is gone: its state, counters and timeline with it."""
        self._states.pop(resource_id, None)
        self._locations.pop(resource_id, None)
        self.uptime.forget(resource_id)
        self.timeline.forget(resource_id)
        self.recent.forget(resource_id)

    def track(self, resource_id: int) -> None:
        """A resource that exists but has no result yet ("not checked yet" rather than absent)."""
        self._states.setdefault(resource_id, RuntimeState())

    def put(self, resource_id: int, state: RuntimeState) -> None:
        """Replace a resource's state without a new result (seeding, tests)."""
        self._states[resource_id] = state

    def put_locations(self, resource_id: int, locations: Mapping[str, LocationView]) -> None:
        """Replace a resource's per-location states (the fleet's feed; kairos.fleet.feed)."""
        if locations:
            self._locations[resource_id] = dict(locations)
        else:
            self._locations.pop(resource_id, None)

    async def advance(self, session: AsyncSession, now_ts: float) -> None:
        """Slide the uptime windows past the 15-minute buckets that left them."""
        await self.uptime.advance(session, now_ts)

    def needs_advance(self, now_ts: float) -> bool:
        return self.uptime.needs_advance(now_ts)

    # -- reads --------------------------------------------------------------------------------------------

    @property
    def states(self) -> Mapping[int, RuntimeState]:
        """Every tracked resource's state (read-only view)."""
        return self._states

    def state(self, resource_id: int) -> RuntimeState | None:
        return self._states.get(resource_id)

    def locations_of(self, resource_id: int) -> dict[str, LocationView]:
        """Each location's latest result, by location name (empty in a single process)."""
        return dict(self._locations.get(resource_id, {}))

    @property
    def located(self) -> Mapping[int, Mapping[str, LocationView]]:
        """Every resource's ``locations_of``, without a copy each (the metrics read 100,000 in one scrape)."""
        return self._locations

    def uptime_of(self, resource_id: int) -> dict[str, float | None]:
        """24 h, 7 d and 30 d uptime percentages (None: nothing counted)."""
        return self.uptime.get(resource_id)

    def uptime_window(self, resource_id: int, hours: int) -> float | None:
        return self.uptime.window(resource_id, hours)

    def letters(self, resource_id: int, now_ts: float) -> str:
        return self.timeline.letters(resource_id, now_ts)

    def compact(self, resource_id: int, now_ts: float) -> tuple[str, list[float | None]]:
        return self.timeline.compact(resource_id, now_ts)

    def beats(self, resource_id: int) -> list[Beat]:
        """The resource's last checks (up to ``recent.size``), oldest first: the heartbeat bar."""
        return self.recent.beats(resource_id)

    def blocks(self, ids: Sequence[int], now_ts: float) -> dict[int, list[Block]]:
        return self.timeline.many(ids, now_ts)
