"""The web node's board feed: results recorded by any worker reach this process's live board.

Workers NOTIFY ``kairos_results`` with the ids of the resources whose results they stored (kairos.fleet.channels).
The feed gathers ids arriving close together (``COALESCE_S``) into one short read of their verdict states and
per-location states, then tells the board once per id occurrence, so uptime counters, the 24-hour timeline and
the live stream see every result. A resync (periodic, and after the listener reconnects) reloads every state:
a notification lost while disconnected costs at most one resync period of staleness, never a wrong state."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import LocationState
from kairos.fleet.channels import parse_ids
from kairos.probes.base import Status
from kairos.scheduler.board import LiveBoard, LocationView
from kairos.scheduler.catalog import load_states
from kairos.scheduler.state import RuntimeState

log = logging.getLogger("kairos.fleet")

COALESCE_S = 0.05
RESYNC_S = 30.0

Applied = Callable[[Mapping[int, RuntimeState]], None]


def _ignore(states: Mapping[int, RuntimeState]) -> None:
    """Nobody waits for results."""


async def load_location_states(
    session: AsyncSession, ids: Collection[int] | None = None
) -> dict[int, dict[str, LocationView]]:
    """Each resource's per-location latest result (of ``ids`` only, when given), by location name."""
    query = select(LocationState)
    if ids is not None:
        query = query.where(LocationState.resource_id.in_(ids))
    out: dict[int, dict[str, LocationView]] = {}
    for row in (await session.execute(query)).scalars():
        out.setdefault(row.resource_id, {})[row.location] = LocationView(
            location=row.location,
            status=Status(row.status),
            last_checked_at=row.last_checked_at,
            latency_ms=row.last_latency_ms,
            message=row.last_message,
            error_code=row.last_error_code,
            http_status=row.last_http_status,
            fail_streak=row.fail_streak,
            ok_streak=row.ok_streak,
            streak_started_at=row.streak_started_at,
        )
    return out


@dataclass(slots=True)
class _Inbox:
    """Ids announced and not yet read, in arrival order (an id may repeat: one per result)."""

    ids: list[int] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)


class BoardFeed:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        board: LiveBoard,
        *,
        coalesce_s: float = COALESCE_S,
        clock: Callable[[], float] = time.time,
        on_applied: Applied = _ignore,
        known: Callable[[int], bool] = lambda _rid: True,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._board = board
        self._coalesce_s = coalesce_s
        self._clock = clock
        self._on_applied = on_applied  # told the states just read (FleetControl's check-now waiters)
        self._known = known  # resources this node knows; a result read for one deleted meanwhile is dropped
        self._inbox = _Inbox()
        self._task: asyncio.Task[None] | None = None
        self.applied = 0  # results handed to the board (tests, logs)

    # -- input (the listener) -----------------------------------------------------------------------------

    def on_results(self, payload: str) -> None:
        """A ``kairos_results`` notification: remember its ids; the feed task reads them shortly."""
        ids = parse_ids(payload)
        if ids:
            self._inbox.ids.extend(ids)
            self._inbox.ready.set()

    # -- life cycle ---------------------------------------------------------------------------------------

    async def seed(self, resource_ids: Collection[int]) -> None:
        """At start: states, per-location states, uptime windows and timeline from the database."""
        async with self._sessionmaker() as session:
            await self._board.load(session, self._clock())
            locations = await load_location_states(session)
        self._settle(resource_ids, locations)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="kairos-board-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    # -- steps --------------------------------------------------------------------------------------------

    async def apply(self, ids: list[int]) -> None:
        """Read the states of ``ids`` in one session and hand one result per occurrence to the board."""
        wanted = set(ids)
        async with self._sessionmaker() as session:
            states = await load_states(session, wanted)
            locations = await load_location_states(session, wanted)
        for rid in wanted:
            if self._known(rid):
                self._board.put_locations(rid, locations.get(rid, {}))
        for rid in ids:
            state = states.get(rid)
            if state is None or not self._known(rid):
                continue  # deleted meanwhile, or its state row is not written yet: the resync settles it
            if state.last is not None:
                self._board.record(rid, state.last, state)
                self.applied += 1
            else:
                self._board.put(rid, state)
        self._on_applied(states)

    async def resync(self, resource_ids: Collection[int]) -> None:
        """Every state and per-location state again; resources not in ``resource_ids`` leave the board."""
        async with self._sessionmaker() as session:
            states = await load_states(session)
            locations = await load_location_states(session)
        for rid, state in states.items():
            if rid in resource_ids:
                self._board.put(rid, state)
        self._settle(resource_ids, locations)

    async def advance(self) -> None:
        """Slide the uptime windows past a 15-minute boundary (as the single process does after each flush)."""
        now = self._clock()
        if not self._board.needs_advance(now):
            return
        async with self._sessionmaker() as session:
            await self._board.advance(session, now)

    def _settle(self, resource_ids: Collection[int], locations: Mapping[int, Mapping[str, LocationView]]) -> None:
        for rid in list(self._board.states):
            if rid not in resource_ids:
                self._board.forget(rid)
        for rid in resource_ids:
            self._board.track(rid)
            self._board.put_locations(rid, locations.get(rid, {}))

    async def _run(self) -> None:
        inbox = self._inbox
        while True:
            await inbox.ready.wait()
            await asyncio.sleep(self._coalesce_s)  # let the other ids of this burst arrive: one read for all
            inbox.ready.clear()
            ids, inbox.ids = inbox.ids, []
            try:
                await self.apply(ids)
            except Exception as exc:  # PostgreSQL away: the resync after the reconnection heals the board
                log.warning("board feed: cannot read %d results: %s", len(ids), exc)
