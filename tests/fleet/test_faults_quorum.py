"""Three locations, the target failing only from one of them (it answers 503 to that location's User-Agent):
with ``majority`` the verdict stays available and the disagreeing location shows, in location_state and on a web
node's API and page; with ``all`` the verdict is not available and one outage opens, once, although the three
locations record the same slots at the same moments."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select, update

from kairos.db.models import LocationState, Outage, Resource, ResourceState, ResourceTypeSettings
from tests.fleet.procs import Fleet, Sessions, Target, add_http, admin_key, until, until_up

INTERVAL_S = 5


async def verdict(sessions: Sessions, rid: int) -> str | None:
    async with sessions() as s:
        return await s.scalar(select(ResourceState.status).where(ResourceState.resource_id == rid))


async def per_location(sessions: Sessions, rid: int) -> dict[str, str]:
    async with sessions() as s:
        rows = await s.execute(
            select(LocationState.location, LocationState.status).where(LocationState.resource_id == rid)
        )
    return {loc: status for loc, status in rows.all()}


async def outages(sessions: Sessions, rid: int) -> list[Outage]:
    async with sessions() as s:
        return list((await s.execute(select(Outage).where(Outage.resource_id == rid))).scalars())


async def test_one_failing_location_is_outvoted_by_majority_and_opens_one_outage_under_all(
    pg_sessions: Sessions, fleet: Fleet, target: Target
) -> None:
    async with pg_sessions() as s, s.begin():  # one verdict down opens an outage: the race is at its widest
        await s.execute(
            update(ResourceTypeSettings).where(ResourceTypeSettings.kind == "HTTP").values(outage_threshold=1)
        )
    ids = await add_http(pg_sessions, target, 2, interval_s=INTERVAL_S)
    majority, everyone = sorted(ids)
    async with pg_sessions() as s, s.begin():
        await s.execute(update(ResourceTypeSettings).values(quorum="majority"))
        await s.execute(update(Resource).where(Resource.id == everyone).values(quorum="all"))
    await target.fail_for("/ap/")
    key = await admin_key(pg_sessions)
    web, eu, us = fleet.web("web"), fleet.worker("eu", "eu-1"), fleet.worker("us", "us-1")
    await until_up(fleet, web, eu, us)
    # eu and us vote first, so that the verdict of "majority" never rests on ap alone.
    await until(
        fleet,
        lambda: _voted(pg_sessions, [majority, everyone], {"eu", "us"}),
        30,
        "eu and us recording",
    )
    ap = fleet.worker("ap", "ap-1")
    await until_up(fleet, ap)
    await until(fleet, lambda: _voted(pg_sessions, [majority, everyone], {"ap"}), 30, "ap recording")
    await until(fleet, lambda: _is(pg_sessions, everyone, "NOT_AVAILABLE"), 15, "the verdict of 'all' going down")
    await asyncio.sleep(2 * INTERVAL_S)  # two more rounds of all three locations recording the same slots

    for rid in (majority, everyone):
        assert await per_location(pg_sessions, rid) == {"eu": "AVAILABLE", "us": "AVAILABLE", "ap": "NOT_AVAILABLE"}
    assert await verdict(pg_sessions, majority) == "AVAILABLE"
    assert await outages(pg_sessions, majority) == []
    assert await verdict(pg_sessions, everyone) == "NOT_AVAILABLE"
    opened = await outages(pg_sessions, everyone)
    assert len(opened) == 1 and opened[0].ended_at is None, [(o.started_at, o.ended_at) for o in opened]

    async with httpx.AsyncClient(base_url=web.url, headers={"Authorization": f"Bearer {key}"}, timeout=10) as client:
        detail = (await client.get(f"/api/resources/{majority}")).json()
        assert detail["currentStatus"] == "available"
        assert {x["location"]: x["status"] for x in detail["locationStatus"]} == {
            "ap": "NOT_AVAILABLE",
            "eu": "AVAILABLE",
            "us": "AVAILABLE",
        }
        assert (await client.get(f"/api/resources/{everyone}")).json()["currentStatus"] == "not-available"
        page = (await client.get(f"/resources/{majority}")).text
    assert 'class="location disagrees" data-location="ap"' in page
    assert 'class="location" data-location="eu"' in page


async def _voted(sessions: Sessions, ids: list[int], locations: set[str]) -> bool:
    return all([locations <= set(await per_location(sessions, rid)) for rid in ids])


async def _is(sessions: Sessions, rid: int, status: str) -> bool:
    return await verdict(sessions, rid) == status
