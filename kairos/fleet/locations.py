"""Which locations count: a location is live while one of its workers was seen within two heartbeat intervals.

``Liveness`` is a singleton job (the leader runs it every heartbeat interval). A location that changes flips
``fleet_location.up`` and ``changed_at`` and, in the same transaction, puts a ``location_down`` or
``location_up`` event into the notification outbox, so the flip and its notification are stored together or
not at all. It also forgets workers not seen for an hour (their rows only fill the fleet page).

Quorum verdicts read ``live_locations``: the locations marked up. A new location is inserted as up by its first
worker's heartbeat (kairos.fleet.heartbeat), so it counts at once, without an event."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import FleetLocation, FleetWorker
from kairos.fleet.heartbeat import database_now
from kairos.notify.events import LOCATION_DOWN, LOCATION_UP, Event, iso
from kairos.periodic import PeriodicJob
from kairos.settings import Settings

log = logging.getLogger("kairos.fleet")

MISSED_BEATS = 2  # a location is down after this many heartbeat intervals without a live worker
FORGET_AFTER = timedelta(hours=1)

Notify = Callable[[AsyncSession, list[Event]], Awaitable[object]]  # Notifications.enqueue


async def live_locations(session: AsyncSession) -> set[str]:
    """The locations that count in quorum verdicts right now."""
    rows = await session.execute(select(FleetLocation.name).where(FleetLocation.up.is_(True)))
    return set(rows.scalars())


class Liveness:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        notify: Notify,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._notify = notify
        self._job = PeriodicJob(
            "location liveness", self._round, every_s=lambda: settings.heartbeat_interval_s, logger=log
        )
        # While this is below MISSED_BEATS intervals, nothing is flipped down: a leader that just took over, or
        # whose database just came back, must first give the workers time to beat again (else every restart of
        # PostgreSQL would report every location down and up).
        self._settling_since: float | None = None

    async def start(self) -> None:
        self._settling_since = time.monotonic()
        self._job.start()

    async def _round(self) -> None:
        try:
            await self.step()
        except Exception:
            self._settling_since = time.monotonic()  # the database did not answer: judge again after a grace
            raise

    def _settled(self) -> bool:
        grace = MISSED_BEATS * self._settings.heartbeat_interval_s
        return self._settling_since is None or time.monotonic() - self._settling_since >= grace

    async def stop(self) -> None:
        await self._job.stop()

    async def step(self) -> list[Event]:
        """One round: flip the locations whose liveness changed; returns the events it raised."""
        async with self._sessionmaker() as session, session.begin():
            now = await database_now(session)
            fresh_since = now - timedelta(seconds=MISSED_BEATS * self._settings.heartbeat_interval_s)
            # Row locks: a leader that lost its lock mid-round and its successor cannot both flip a location.
            known = (await session.execute(select(FleetLocation).with_for_update())).scalars().all()
            rows = await session.execute(
                select(FleetWorker.location, func.max(FleetWorker.seen_at)).group_by(FleetWorker.location)
            )
            last_seen: dict[str, datetime] = {name: at for name, at in rows.all()}
            settled = self._settled()
            events = [
                _flip(loc.name, last_seen.get(loc.name), fresh_since, now)
                for loc in known
                if loc.up != _live(last_seen.get(loc.name), fresh_since) and (settled or not loc.up)
            ]
            for event in events:
                await session.execute(
                    update(FleetLocation)
                    .where(FleetLocation.name == event.location)
                    .values(up=event.kind == LOCATION_UP, changed_at=now)
                )
            if events:
                await self._notify(session, events)
            await session.execute(delete(FleetWorker).where(FleetWorker.seen_at < now - FORGET_AFTER))
        for event in events:
            log.warning("location %s is %s", event.location, "up again" if event.kind == LOCATION_UP else "down")
        return events


def _live(last_seen: datetime | None, fresh_since: datetime) -> bool:
    return last_seen is not None and last_seen >= fresh_since


def _flip(name: str, last_seen: datetime | None, fresh_since: datetime, now: datetime) -> Event:
    if _live(last_seen, fresh_since):
        return Event.for_location(LOCATION_UP, name, now, f"location {name} is checking again")
    since = f"since {iso(last_seen)}" if last_seen is not None else "for a while"
    return Event.for_location(LOCATION_DOWN, name, now, f"no worker of location {name} was seen {since}")
