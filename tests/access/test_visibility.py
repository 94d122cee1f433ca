"""Group visibility gives the same answer on every surface: every caller and every kind of resource, through
the API, the pages, badges, embeds and the live stream (docs/access.md)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from kairos.access.visibility import resource_level
from kairos.api.routes import stream as stream_route
from tests.access.world import BROWSERS, CALLERS, SEES, SEES_GROUPS, World, build_world
from tests.api.loopback import Target
from tests.api.test_stream import _events
from tests.harness import Running

DATA_ID = re.compile(r'data-id="(\d+)"')
RESOURCE_LINK = re.compile(r'href="/resources/(\d+)"')


@pytest.fixture
async def world(kairos: Running, target: Target) -> AsyncIterator[World]:
    async with build_world(kairos, target) as built:
        yield built


@pytest.mark.parametrize(
    ("groups", "level"),
    [
        ((), 0),
        (("PUBLIC",), 0),
        (("AUTHENTICATED",), 1),
        (("HIDDEN",), 2),
        (("HIDDEN", "PUBLIC"), 0),
        (("HIDDEN", "AUTHENTICATED"), 1),
        (("AUTHENTICATED", "PUBLIC", "HIDDEN"), 0),
        (("SOMETHING-ELSE",), 2),
    ],
)
def test_a_resource_takes_its_most_permissive_group(groups: tuple[str, ...], level: int) -> None:
    assert resource_level(groups) == level


# -- surfaces: each returns the names of the resources the caller was shown ----------------------------------


async def _per_resource(world: World, client: httpx.AsyncClient, path: str) -> set[str]:
    """Resources whose ``path`` answers 200; anything else must be 404 (never 401/403: nothing confirms)."""
    shown = set()
    for name, rid in world.ids.items():
        r = await client.get(path.format(id=rid))
        assert r.status_code in (200, 404), (path, name, r.status_code, r.text[:200])
        if r.status_code == 200:
            shown.add(name)
    return shown


async def _ids_in(world: World, client: httpx.AsyncClient, path: str, key: str) -> set[str]:
    r = await client.get(path)
    assert r.status_code == 200, r.text
    return world.names({int(item[key]) for item in r.json()})


async def _html_ids(world: World, client: httpx.AsyncClient, path: str, pattern: re.Pattern[str]) -> set[str]:
    r = await client.get(path)
    assert r.status_code == 200, r.text[:300]
    return world.names({int(i) for i in pattern.findall(r.text)})


Surface = Callable[[World, httpx.AsyncClient], Awaitable[set[str]]]
API: dict[str, Surface] = {
    "GET /api/resources": lambda w, c: _ids_in(w, c, "/api/resources", "id"),
    "GET /api/resources/{id}": lambda w, c: _per_resource(w, c, "/api/resources/{id}"),
    "GET /api/resources/status-updates": lambda w, c: _ids_in(
        w, c, "/api/resources/status-updates?includeTimeline=false", "resourceId"
    ),
    "status-update": lambda w, c: _per_resource(w, c, "/api/resources/{id}/status-update?includeTimeline=false"),
    "history": lambda w, c: _per_resource(w, c, "/api/resources/{id}/history"),
    "latency-samples": lambda w, c: _per_resource(w, c, "/api/resources/{id}/latency-samples"),
    "uptime": lambda w, c: _per_resource(w, c, "/api/resources/{id}/uptime"),
}
PAGES: dict[str, Surface] = {
    "dashboard /": lambda w, c: _html_ids(w, c, "/", DATA_ID),
    "/resources/{id}": lambda w, c: _per_resource(w, c, "/resources/{id}"),
    "/outages": lambda w, c: _html_ids(w, c, "/outages", RESOURCE_LINK),
    "status badge": lambda w, c: _per_resource(w, c, "/badges/resources/{id}.svg"),
    "uptime badge": lambda w, c: _per_resource(w, c, "/badges/resources/{id}.svg?show=uptime"),
    "embed": lambda w, c: _per_resource(w, c, "/embed/resources/{id}"),
}


@pytest.mark.parametrize("surface", list(API))
async def test_every_caller_sees_the_same_resources_through_the_api(world: World, surface: str) -> None:
    for caller in CALLERS:
        assert await API[surface](world, world.clients[caller]) == SEES[caller], caller


@pytest.mark.parametrize("surface", list(PAGES))
async def test_every_browser_sees_the_same_resources_on_the_pages(world: World, surface: str) -> None:
    for caller in BROWSERS:
        assert await PAGES[surface](world, world.clients[caller]) == SEES[caller], caller


async def test_pages_ignore_api_keys_and_show_what_anonymous_visitors_see(world: World) -> None:
    for caller in ("read_key", "admin_key"):
        for surface in ("dashboard /", "/resources/{id}"):
            assert await PAGES[surface](world, world.clients[caller]) == SEES["anonymous"], (caller, surface)


async def test_outages_are_listed_only_for_resources_the_caller_may_see(world: World) -> None:
    for caller in CALLERS:
        client = world.clients[caller]
        if caller == "anonymous":
            assert (await client.get("/api/outages")).status_code == 401
            continue
        assert await _ids_in(world, client, "/api/outages", "resourceId") == SEES[caller], caller
        assert await _per_resource(world, client, "/api/resources/{id}/outages") == SEES[caller], caller
        filtered = {
            name
            for name, rid in world.ids.items()
            if (await client.get("/api/outages", params={"resourceId": rid})).json()
        }
        assert filtered == SEES[caller], caller


async def test_the_outage_filter_offers_only_visible_resources(world: World) -> None:
    for caller in BROWSERS:
        html = (await world.clients[caller].get("/outages")).text
        options = {int(i) for i in re.findall(r'<option value="(\d+)"', html)}
        assert world.names(options) == SEES[caller], caller
        hidden = world.ids["hidden"]
        html = (await world.clients[caller].get("/outages", params={"resource": hidden})).text
        assert (f'href="/resources/{hidden}"' in html) == ("hidden" in SEES[caller]), caller


async def test_groups_are_listed_by_the_same_rule(world: World) -> None:
    for caller in CALLERS:
        r = await world.clients[caller].get("/api/groups")
        assert {g["visibility"] for g in r.json()} == SEES_GROUPS[caller], caller


async def test_group_members_pages_and_badges_answer_404_for_groups_the_caller_may_not_see(world: World) -> None:
    for caller in CALLERS:
        client = world.clients[caller]
        for visibility, gid in world.groups.items():
            shown = visibility in SEES_GROUPS[caller]
            members = await client.get(f"/api/groups/{gid}/resources")
            if caller == "anonymous":
                assert members.status_code == 401
            else:
                assert members.status_code == (200 if shown else 404), (caller, visibility)
            if caller not in BROWSERS:
                continue
            for path in (f"/groups/{gid}", f"/badges/groups/{gid}.svg", f"/embed/groups/{gid}"):
                r = await client.get(path)
                assert r.status_code == (200 if shown else 404), (caller, visibility, path)


async def test_the_dashboard_lists_only_the_sections_of_visible_groups(world: World) -> None:
    for caller in BROWSERS:
        html = (await world.clients[caller].get("/")).text
        links = {int(g) for g in re.findall(r'href="/groups/(\d+)"', html)}
        shown = {v for v, gid in world.groups.items() if gid in links}
        assert shown == SEES_GROUPS[caller], caller


async def test_a_resource_never_names_a_group_the_caller_may_not_see(world: World) -> None:
    for caller in CALLERS:
        body = (await world.clients[caller].get(f"/api/resources/{world.ids['hidden+public']}")).json()
        assert {g["visibility"] for g in body["groups"]} <= SEES_GROUPS[caller], caller
        listed = (await world.clients[caller].get("/api/resources")).json()
        assert {g["visibility"] for r in listed for g in r["groups"]} == SEES_GROUPS[caller], caller


# -- the live stream ---------------------------------------------------------------------------------------


Events = AsyncIterator[tuple[str, Any]]


async def _stream_until(events: Events, sentinel: int) -> set[int]:
    """Ids in ``status`` messages up to the one that carries ``sentinel`` (checked last, visible to all)."""
    seen: set[int] = set()
    async for event, data in events:
        if event == "status":
            seen |= {u["resourceId"] for u in data}
            if sentinel in seen:
                return seen
    raise AssertionError("the stream ended")


async def _check_all_then(world: World, last: int) -> None:
    for rid in world.ids.values():
        if rid != last:
            await world.kairos.runtime.scheduler.check_now(rid)
    await world.kairos.runtime.scheduler.check_now(last)


async def test_every_subscriber_of_the_stream_gets_only_what_it_may_see(world: World) -> None:
    sentinel = world.ids["ungrouped"]
    streams: dict[str, Any] = {}
    for caller in CALLERS:
        streams[caller] = world.clients[caller].stream("GET", "/api/resources/stream")
    events: dict[str, Events] = {}
    try:
        for caller, cm in streams.items():
            response = await cm.__aenter__()
            assert response.status_code == 200
            events[caller] = _events(response)
            assert (await asyncio.wait_for(anext(events[caller]), 5))[1] == "retry: 3000"
        await _check_all_then(world, sentinel)
        for caller, stream in events.items():
            seen = await asyncio.wait_for(_stream_until(stream, sentinel), 10)
            assert world.names(seen) == SEES[caller], caller
    finally:
        for caller in events:
            await streams[caller].__aexit__(None, None, None)


async def test_the_stream_notices_a_group_that_became_hidden(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_route, "VISIBILITY_RECHECK_S", 0.0)  # re-read before every message
    user, sentinel, watched = world.clients["user"], world.ids["ungrouped"], world.ids["authenticated"]
    async with user.stream("GET", "/api/resources/stream") as response:
        events = _events(response)
        await asyncio.wait_for(anext(events), 5)
        await world.kairos.runtime.scheduler.check_now(watched)
        await world.kairos.runtime.scheduler.check_now(sentinel)
        assert watched in await asyncio.wait_for(_stream_until(events, sentinel), 10)
        r = await world.kairos.client.put(f"/api/groups/{world.groups['AUTHENTICATED']}", json={"visibility": "HIDDEN"})
        assert r.status_code == 200, r.text
        await world.kairos.runtime.scheduler.check_now(watched)
        await world.kairos.runtime.scheduler.check_now(sentinel)
        assert watched not in await asyncio.wait_for(_stream_until(events, sentinel), 10)
