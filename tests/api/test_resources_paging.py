"""``GET /api/resources`` at scale: natural order, pages with a total and RFC 8288 links, filters that combine,
and totals that never count what the caller may not see."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from kairos.services.site import SiteSettings
from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource, wait_for_status
from tests.harness import Running


def _names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["name"] for r in response.json()]


def _next_url(response: httpx.Response) -> str | None:
    return response.links.get("next", {}).get("url")


async def _group(kairos: Running, name: str, visibility: str = "PUBLIC") -> int:
    response = await kairos.client.post("/api/groups", json={"name": name, "visibility": visibility})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _paused(kairos: Running, target: Target, name: str, **fields: Any) -> dict[str, Any]:
    """A switched-off resource: never checked, so its status stays unknown whatever the test's timing."""
    return await create_resource(kairos, target.url("/" + quote(name)), name=name, active=False, **fields)


async def test_names_sort_as_people_count_in_every_order(kairos: Running, target: Target) -> None:
    for name in ("k-10", "k-2", "K-3", "k-1", "Été", "ete 2", "k-02b"):
        await _paused(kairos, target, name)
    expected = ["Été", "ete 2", "k-1", "k-2", "k-02b", "K-3", "k-10"]
    assert _names(await kairos.anon.get("/api/resources", params={"sort": "name"})) == expected
    # The default order is the display order (all 0 here), its ties broken by the same natural order.
    assert _names(await kairos.anon.get("/api/resources")) == expected


async def test_the_display_order_comes_before_the_name(kairos: Running, target: Target) -> None:
    await _paused(kairos, target, "b-1", displayOrder=2)
    await _paused(kairos, target, "b-10", displayOrder=1)
    await _paused(kairos, target, "b-2", displayOrder=1)
    assert _names(await kairos.anon.get("/api/resources")) == ["b-2", "b-10", "b-1"]
    assert _names(await kairos.anon.get("/api/resources", params={"sort": "name"})) == ["b-1", "b-2", "b-10"]


async def test_pages_carry_the_total_and_links_that_walk_the_whole_list(kairos: Running, target: Target) -> None:
    for i in range(1, 8):
        await _paused(kairos, target, f"r-{i}")
    whole = await kairos.anon.get("/api/resources", params={"sort": "name"})
    assert whole.headers["X-Total-Count"] == "7" and "Link" not in whole.headers
    first = await kairos.anon.get("/api/resources", params={"sort": "name", "limit": 3})
    assert _names(first) == ["r-1", "r-2", "r-3"]
    assert first.headers["X-Total-Count"] == "7"
    assert "prev" not in first.links
    walked, response = _names(first), first
    while (url := _next_url(response)) is not None:
        assert url.startswith("/api/resources?") and "sort=name" in url and "limit=3" in url
        response = await kairos.anon.get(url)
        assert response.headers["X-Total-Count"] == "7"
        assert "prev" in response.links
        walked += _names(response)
    assert walked == _names(whole)
    middle = await kairos.anon.get("/api/resources", params={"sort": "name", "limit": 3, "offset": 3})
    assert _names(middle) == ["r-4", "r-5", "r-6"]
    assert "offset=0" in middle.links["prev"]["url"] and "offset=6" in middle.links["next"]["url"]


async def test_an_offset_past_the_end_is_an_empty_page_with_the_total(kairos: Running, target: Target) -> None:
    await _paused(kairos, target, "only")
    response = await kairos.anon.get("/api/resources", params={"limit": 10, "offset": 50})
    assert response.json() == [] and response.headers["X-Total-Count"] == "1"
    assert "next" not in response.links and "offset=0" in response.links["prev"]["url"]


async def test_filters_combine_with_each_other_and_with_paging(
    kairos: Running, target: Target, closed_port: int
) -> None:
    web = await _group(kairos, "web")
    up = await create_resource(
        kairos, target.url("/"), name="shop-1", groupId=web, tags=[{"key": "env", "value": "prod"}]
    )
    down = await create_resource(
        kairos,
        target.url("/fail"),
        name="shop-2",
        groupId=web,
        outageThreshold=10,
        tags=[{"key": "env", "value": "prod"}],
    )
    tcp = await create_resource(kairos, f"127.0.0.1:{closed_port}", name="db-1", resourceType="TCP", outageThreshold=10)
    await _paused(kairos, target, "shop-3", groupId=web)
    await wait_for_status(kairos, up["id"], "available")
    await wait_for_status(kairos, down["id"], "not-available")
    await wait_for_status(kairos, tcp["id"], "not-available")

    async def names(**params: Any) -> list[str]:
        return _names(await kairos.anon.get("/api/resources", params={"sort": "name", **params}))

    assert await names(q="SHOP") == ["shop-1", "shop-2", "shop-3"]
    assert await names(q="shop", status="not-available") == ["shop-2"]
    assert await names(status="NOT_AVAILABLE,unknown") == ["db-1", "shop-2", "shop-3"]
    assert await names(status="failing") == ["db-1", "shop-2"]  # not available, below the outage threshold
    assert await names(status="AVAILABLE") == ["shop-1"]
    assert await names(type="tcp") == ["db-1"]
    assert await names(group=web, type="HTTP") == ["shop-1", "shop-2", "shop-3"]
    assert await names(group=web, tag="env:prod", status="available") == ["shop-1"]
    assert await names(q=f"127.0.0.1:{closed_port}") == ["db-1"]  # the target matches for who may read it
    problems = await kairos.anon.get("/api/resources", params={"sort": "status", "limit": 2})
    assert _names(problems) == ["db-1", "shop-2"] and problems.headers["X-Total-Count"] == "4"
    paged = await kairos.anon.get("/api/resources", params={"q": "shop", "limit": 1, "offset": 1, "sort": "name"})
    assert _names(paged) == ["shop-2"] and paged.headers["X-Total-Count"] == "3"
    assert "q=shop" in paged.links["next"]["url"]


async def test_search_wildcards_are_plain_characters(kairos: Running, target: Target) -> None:
    for name in ("100%", "100x", "a_b", "axb"):
        await _paused(kairos, target, name)
    assert _names(await kairos.anon.get("/api/resources", params={"q": "100%"})) == ["100%"]
    assert _names(await kairos.anon.get("/api/resources", params={"q": "a_b"})) == ["a_b"]


async def test_totals_never_count_resources_the_caller_may_not_see(kairos: Running, target: Target) -> None:
    hidden = await _group(kairos, "ops-only", "HIDDEN")
    members = await _group(kairos, "members", "AUTHENTICATED")
    public = await _group(kairos, "public")
    await _paused(kairos, target, "secret-1", groupId=hidden)
    await _paused(kairos, target, "inner-1", groupId=members)
    await _paused(kairos, target, "both-1", groupIds=[hidden, public])  # seen through its public group
    await _paused(kairos, target, "open-1")
    anon = await kairos.anon.get("/api/resources", params={"limit": 1})
    assert anon.headers["X-Total-Count"] == "2"
    assert _names(await kairos.anon.get("/api/resources")) == ["both-1", "open-1"]
    searches: list[dict[str, str | int]] = [{"q": "secret"}, {"q": "inner"}, {"status": "unknown", "limit": 10}]
    for params in searches:
        response = await kairos.anon.get("/api/resources", params=params)
        assert "secret-1" not in _names(response) and "inner-1" not in _names(response)
        assert int(response.headers["X-Total-Count"]) == len(_names(response))
    # Filtering by a group the caller may not see tells nothing about its members, not even the shared one.
    by_hidden = await kairos.anon.get("/api/resources", params={"group": hidden})
    assert by_hidden.json() == [] and by_hidden.headers["X-Total-Count"] == "0"
    admin = await kairos.client.get("/api/resources", params={"group": hidden, "sort": "name"})
    assert _names(admin) == ["both-1", "secret-1"]
    assert (await kairos.client.get("/api/resources")).headers["X-Total-Count"] == "4"


async def test_an_anonymous_search_never_matches_hidden_targets(kairos: Running, target: Target) -> None:
    await create_resource(kairos, target.url("/private-path"), name="billing", active=False)
    kairos.runtime.site = SiteSettings(show_targets=False)
    anon = await kairos.anon.get("/api/resources", params={"q": "private-path"})
    assert anon.json() == [] and anon.headers["X-Total-Count"] == "0"
    assert _names(await kairos.anon.get("/api/resources", params={"q": "bill"})) == ["billing"]
    assert _names(await kairos.client.get("/api/resources", params={"q": "private-path"})) == ["billing"]


async def test_bad_parameters_get_a_precise_error(kairos: Running) -> None:
    cases: list[tuple[dict[str, str | int], str]] = [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10_000_001}, "offset"),
        ({"status": "DOWN"}, "status"),
        ({"status": "available,"}, "status"),
        ({"type": "FTP"}, "type"),
        ({"sort": "random"}, "sort"),
        ({"group": 0}, "group"),
        ({"group": 2**70}, "group"),
        ({"tag": "no-colon"}, "tag"),
        ({"q": "x" * 201}, "q"),
    ]
    for params, field in cases:
        assert_error(await kairos.anon.get("/api/resources", params=params), 422, "validation_error", field)
