"""A location that loses all its workers (SIGKILL) stops counting after two heartbeat intervals: it is marked
down, a ``location_down`` message reaches a webhook, and under ``all`` its last (failing) vote no longer drags
the verdict. A worker coming back makes it count again, with ``location_up``."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from kairos.db.models import FleetLocation, NotificationOutbox, Resource, ResourceState
from tests.fleet.procs import Fleet, Sessions, Target, add_http, until, until_up, webhook_policy

INTERVAL_S = 5
EVENTS = ["location_down", "location_up"]


@pytest.fixture
def fleet(pg_url: str, tmp_path: Path) -> Iterator[Fleet]:
    f = Fleet(pg_url, tmp_path, heartbeat_s=1.0)  # 0.5 s is within reach of a busy 2-core machine
    yield f
    f.close()


async def up(sessions: Sessions) -> dict[str, bool]:
    async with sessions() as s:
        return {name: flag for name, flag in (await s.execute(select(FleetLocation.name, FleetLocation.up))).all()}


async def verdict(sessions: Sessions, rid: int) -> str | None:
    async with sessions() as s:
        return await s.scalar(select(ResourceState.status).where(ResourceState.resource_id == rid))


async def outbox(sessions: Sessions) -> list[tuple[str, str]]:
    async with sessions() as s:
        rows = await s.execute(
            select(NotificationOutbox.event, NotificationOutbox.status).order_by(NotificationOutbox.id)
        )
    return [(event, status) for event, status in rows.all()]


async def delivered(target: Target) -> list[tuple[str, str]]:
    """(event, location) of every webhook message the target received."""
    out: list[tuple[str, str]] = []
    for hit in await target.hits():
        if hit.path == "/hook" and hit.method == "POST":
            out.extend((e["event"], e.get("location")) for e in json.loads(hit.body)["events"])
    return out


async def test_a_location_without_workers_stops_counting_is_reported_and_counts_again_when_one_returns(
    pg_sessions: Sessions, fleet: Fleet, target: Target
) -> None:
    await webhook_policy(pg_sessions, target.url("/hook"), EVENTS)
    (rid,) = await add_http(pg_sessions, target, 1, interval_s=INTERVAL_S)
    async with pg_sessions() as s, s.begin():
        await s.execute(update(Resource).values(quorum="all"))
    await target.fail_for("/us/")
    eu, us = fleet.worker("eu", "eu-1"), fleet.worker("us", "us-1")
    await until_up(fleet, eu, us)
    await until(fleet, lambda: _is(pg_sessions, rid, "NOT_AVAILABLE"), 30, "us's failures making 'all' fail")
    assert await up(pg_sessions) == {"eu": True, "us": True}

    us.kill()
    # Two intervals of 1 s, plus the leader's round: the bound is generous, the order of events is the point.
    await until(fleet, lambda: _equals(up(pg_sessions), {"eu": True, "us": False}), 10, "us marked down")
    assert [e for e, _ in await outbox(pg_sessions)] == ["location_down"]
    await until(fleet, lambda: _equals(delivered(target), [("location_down", "us")]), 15, "location_down delivered")
    # eu's next results are judged without us: "all" of the live locations see it available.
    await until(fleet, lambda: _is(pg_sessions, rid, "AVAILABLE"), INTERVAL_S + 10, "the verdict without us")

    back = fleet.restart(us)
    await until_up(fleet, back)
    await until(fleet, lambda: _equals(up(pg_sessions), {"eu": True, "us": True}), 10, "us marked up again")
    await until(
        fleet,
        lambda: _equals(delivered(target), [("location_down", "us"), ("location_up", "us")]),
        15,
        "location_up delivered",
    )
    assert [e for e, _ in await outbox(pg_sessions)] == ["location_down", "location_up"]
    await until(fleet, lambda: _is(pg_sessions, rid, "NOT_AVAILABLE"), INTERVAL_S + 10, "us counting again")


async def _is(sessions: Sessions, rid: int, status: str) -> bool:
    return await verdict(sessions, rid) == status


async def _equals(value: Awaitable[object], expected: object) -> bool:
    return await value == expected
