"""Worker heartbeats and location liveness on a real PostgreSQL: a location whose workers stop beating goes down
after two intervals (with a location_down event in the outbox, in the same transaction), and comes back up with
location_up when a worker beats again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos import __version__
from kairos.api.schemas.notifications import EventKind
from kairos.db.models import FleetLocation, FleetWorker, NotificationChannel, NotificationOutbox, NotificationPolicy
from kairos.fleet.heartbeat import Heartbeat, database_now
from kairos.fleet.locations import Liveness, live_locations
from kairos.notify.channels import compose
from kairos.notify.events import EVENT_KINDS, LOCATION_DOWN, LOCATION_UP, Event, Policies
from kairos.settings import Settings, load_settings
from kairos.web.routes.admin_notifications import EVENTS

Sessions = async_sessionmaker[AsyncSession]


def worker_settings(url: str, location: str, worker_id: str) -> Settings:
    return load_settings(database_url=url, location=location, worker_id=worker_id, heartbeat_interval_s=1.0)


async def workers(sessions: Sessions) -> dict[str, FleetWorker]:
    async with sessions() as s:
        return {w.id: w for w in (await s.execute(select(FleetWorker))).scalars()}


async def locations(sessions: Sessions) -> dict[str, bool]:
    async with sessions() as s:
        return {loc.name: loc.up for loc in (await s.execute(select(FleetLocation))).scalars()}


async def age(sessions: Sessions, worker_id: str, seconds: float) -> None:
    """Make a worker's last heartbeat ``seconds`` old (as if it had stopped beating that long ago)."""
    async with sessions() as s, s.begin():
        now = await database_now(s)
        await s.execute(
            update(FleetWorker).where(FleetWorker.id == worker_id).values(seen_at=now - timedelta(seconds=seconds))
        )


async def outbox(sessions: Sessions) -> list[NotificationOutbox]:
    async with sessions() as s:
        return list((await s.execute(select(NotificationOutbox).order_by(NotificationOutbox.id))).scalars())


async def policies_for(sessions: Sessions, *specs: tuple[str, list[str]]) -> Policies:
    """A channel and one policy per (scope, events); the policies loaded as a notifier holds them."""
    async with sessions() as s, s.begin():
        ch = NotificationChannel(name="ops", kind="WEBHOOK", url_enc=b"x", url_hint="http://…")
        s.add(ch)
        await s.flush()
        for n, (scope, events) in enumerate(specs):
            s.add(NotificationPolicy(name=f"p{n}", channel_id=ch.id, events=events, scope=scope, scope_ids=[1]))
    policies = Policies(sessions)
    await policies.reload()
    return policies


async def test_a_heartbeat_registers_the_worker_and_its_location_and_a_clean_stop_removes_it(
    pg_url: str, pg_sessions: Sessions
) -> None:
    leading = False
    beat = Heartbeat(pg_sessions, worker_settings(pg_url, "eu", "eu-1"), __version__, lambda: leading)
    await beat.beat()
    first = (await workers(pg_sessions))["eu-1"]
    assert (first.location, first.version, first.leader) == ("eu", __version__, False)
    assert await locations(pg_sessions) == {"eu": True}

    leading = True
    await beat.beat()
    second = (await workers(pg_sessions))["eu-1"]
    assert second.leader is True and second.seen_at > first.seen_at and second.started_at == first.started_at

    beat.start()
    assert beat.alive
    await beat.stop()
    assert await workers(pg_sessions) == {}
    assert await locations(pg_sessions) == {"eu": True}  # the location stays known; liveness decides whether it is up


async def test_a_location_without_a_live_worker_goes_down_and_comes_back_with_events(
    pg_url: str, pg_sessions: Sessions
) -> None:
    policies = await policies_for(
        pg_sessions, ("all", [LOCATION_DOWN, LOCATION_UP]), ("groups", [LOCATION_DOWN]), ("all", ["outage_opened"])
    )
    settings = worker_settings(pg_url, "eu", "leader")
    eu = Heartbeat(pg_sessions, settings, __version__, lambda: True)
    us = Heartbeat(pg_sessions, worker_settings(pg_url, "us", "us-1"), __version__, lambda: False)
    await eu.beat()
    await us.beat()
    liveness = Liveness(pg_sessions, settings, policies.enqueue)
    assert await liveness.step() == []
    async with pg_sessions() as s:
        assert await live_locations(s) == {"eu", "us"}

    await age(pg_sessions, "us-1", 1.5)  # one missed beat of 1 s: not yet down
    assert await liveness.step() == []

    await age(pg_sessions, "us-1", 2.5)  # two missed beats
    events = await liveness.step()
    assert [(e.kind, e.location, e.resource_id) for e in events] == [(LOCATION_DOWN, "us", None)]
    assert await locations(pg_sessions) == {"eu": True, "us": False}
    async with pg_sessions() as s:
        assert await live_locations(s) == {"eu"}
    rows = await outbox(pg_sessions)
    # Only the scope-all policy that selected location_down: a location event concerns no group's resources.
    assert [(r.event, r.resource_id, r.policy_id) for r in rows] == [(LOCATION_DOWN, None, 1)]
    assert rows[0].payload["location"] == "us" and rows[0].payload["resource"] is None
    assert await liveness.step() == []  # reported once

    await us.beat()
    assert [(e.kind, e.location) for e in await liveness.step()] == [(LOCATION_UP, "us")]
    assert await locations(pg_sessions) == {"eu": True, "us": True}
    assert [r.event for r in await outbox(pg_sessions)] == [LOCATION_DOWN, LOCATION_UP]


async def test_a_worker_that_stops_cleanly_takes_its_location_down_in_the_next_round(
    pg_url: str, pg_sessions: Sessions
) -> None:
    raised: list[Event] = []

    async def notify(_: AsyncSession, events: list[Event]) -> None:
        raised.extend(events)

    settings = worker_settings(pg_url, "eu", "eu-1")
    beat = Heartbeat(pg_sessions, settings, __version__, lambda: False)
    await beat.beat()
    liveness = Liveness(pg_sessions, settings, notify)
    assert await liveness.step() == []
    await beat.stop()
    await liveness.step()
    assert [(e.kind, e.location) for e in raised] == [(LOCATION_DOWN, "eu")]


async def test_workers_not_seen_for_an_hour_are_forgotten(pg_url: str, pg_sessions: Sessions) -> None:
    async def notify(_: AsyncSession, events: list[Event]) -> None:
        return None

    settings = worker_settings(pg_url, "eu", "eu-1")
    for worker_id in ("eu-1", "eu-old", "eu-stale"):
        await Heartbeat(pg_sessions, worker_settings(pg_url, "eu", worker_id), __version__, lambda: False).beat()
    await age(pg_sessions, "eu-old", 3601)
    await age(pg_sessions, "eu-stale", 60)
    await Liveness(pg_sessions, settings, notify).step()
    assert sorted(await workers(pg_sessions)) == ["eu-1", "eu-stale"]  # stale but recent: still listed


def test_every_event_kind_is_accepted_by_the_api_and_labelled_on_the_policy_form() -> None:
    assert set(get_args(EventKind)) == set(EVENT_KINDS) == set(EVENTS)


def test_location_events_read_as_messages_about_locations() -> None:
    def payload(kind: str, location: str) -> dict[str, Any]:
        return {"event": kind, "at": "2026-01-01T00:00:00Z", "resource": None, "location": location, "message": ""}

    one = compose([payload(LOCATION_DOWN, "us")])
    assert one.title == "Kairos: Location us is down, its checks are paused"
    grouped = compose([payload(LOCATION_DOWN, "us"), payload(LOCATION_DOWN, "ap"), payload(LOCATION_UP, "eu")])
    assert grouped.body == "2 locations down: us, ap\n1 locations checking again: eu"
