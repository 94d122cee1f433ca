"""SVG badges and iframe embeds: status, uptime, escaping, caching and the visibility rules."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.api.loopback import Target, target
from tests.api.support import create_resource, wait_for_status
from tests.harness import Running
from tests.web.pages import admin_browser

__all__ = ["target"]  # the fixture
SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


async def test_a_resource_badge_shows_name_and_status_in_green(kairos: Running, target: Target) -> None:
    rid = (await create_resource(kairos, target.url("/"), name="shop"))["id"]
    await wait_for_status(kairos, rid, "available")
    r = await kairos.anon.get(f"/badges/resources/{rid}.svg")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.headers["cache-control"] == "max-age=60"
    assert texts(r.text) == ["shop", "up"]
    assert 'fill="#2ea44f"' in r.text


async def test_a_badge_can_show_the_24_hour_uptime_under_another_label(kairos: Running, target: Target) -> None:
    rid = (await create_resource(kairos, target.url("/fail"), name="api"))["id"]
    await wait_for_status(kairos, rid, "not-available")
    r = await kairos.anon.get(f"/badges/resources/{rid}.svg", params={"show": "uptime", "label": "API uptime"})
    assert texts(r.text) == ["API uptime", "0.00 %"]
    assert 'fill="#d73a49"' in r.text


async def test_badge_text_is_escaped_as_xml(kairos: Running, target: Target) -> None:
    rid = (await create_resource(kairos, target.url("/"), name="a<b>&\"c'"))["id"]
    r = await kairos.anon.get(f"/badges/resources/{rid}.svg", params={"label": '<script>"x"</script>'})
    assert "<script>" not in r.text
    assert texts(r.text)[0] == '<script>"x"</script>'  # parsed back intact: it was escaped, not mangled
    plain = await kairos.anon.get(f"/badges/resources/{rid}.svg")
    assert texts(plain.text)[0] == "a<b>&\"c'"


async def test_a_group_badge_counts_the_members_that_are_up(kairos: Running, target: Target) -> None:
    gid = (await kairos.client.post("/api/groups", json={"name": "Shop"})).json()["id"]
    up = (await create_resource(kairos, target.url("/"), name="one", groupIds=[gid]))["id"]
    down = (await create_resource(kairos, target.url("/fail"), name="two", groupIds=[gid]))["id"]
    await wait_for_status(kairos, up, "available")
    await wait_for_status(kairos, down, "not-available")
    r = await kairos.anon.get(f"/badges/groups/{gid}.svg")
    assert texts(r.text) == ["Shop", "1/2 up"]
    assert 'fill="#d73a49"' in r.text


async def test_hidden_resources_and_groups_have_no_badge_or_embed_for_visitors(kairos: Running, target: Target) -> None:
    gid = (await kairos.client.post("/api/groups", json={"name": "Ops", "visibility": "AUTHENTICATED"})).json()["id"]
    rid = (await create_resource(kairos, target.url("/"), name="db", groupIds=[gid]))["id"]
    for path in (
        f"/badges/resources/{rid}.svg",
        f"/badges/groups/{gid}.svg",
        f"/embed/resources/{rid}",
        f"/embed/groups/{gid}",
    ):
        assert (await kairos.anon.get(path)).status_code == 404, path
    async with admin_browser(kairos) as admin:
        assert (await admin.get(f"/badges/groups/{gid}.svg")).status_code == 200
        assert (await admin.get(f"/embed/resources/{rid}")).status_code == 200
    assert (await kairos.anon.get("/badges/resources/9999.svg")).status_code == 404


async def test_embeds_are_bare_pages_that_refresh_themselves(kairos: Running, target: Target) -> None:
    gid = (await kairos.client.post("/api/groups", json={"name": "Shop"})).json()["id"]
    rid = (await create_resource(kairos, target.url("/"), name="cart", groupIds=[gid]))["id"]
    await wait_for_status(kairos, rid, "available")
    one = await kairos.anon.get(f"/embed/resources/{rid}")
    assert one.status_code == 200
    assert '<meta http-equiv="refresh" content="60">' in one.text
    assert 'class="topbar"' not in one.text and "cart" in one.text and 'class="dot available"' in one.text
    assert one.text.count('<span class="a">') >= 1
    group = (await kairos.anon.get(f"/embed/groups/{gid}", params={"theme": "light"})).text
    assert 'data-theme="light"' in group and "cart" in group and "All systems operational" in group
