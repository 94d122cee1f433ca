"""The console's bulk actions on a selection, cloning, and the admin actions on a resource's own page."""

from __future__ import annotations

import httpx

from tests.api.loopback import closed_port
from tests.api.support import create_resource
from tests.harness import Running
from tests.web.pages import add_user, admin_browser, csrf_of, post_form, sign_in

__all__ = ["closed_port"]


async def _tcp(kairos: Running, port: int, name: str, **fields: object) -> int:
    return int((await create_resource(kairos, f"127.0.0.1:{port}", name=name, resourceType="TCP", **fields))["id"])


async def test_pausing_a_selection_from_the_list_pauses_exactly_those(kairos: Running, closed_port: int) -> None:
    a, b, c = [await _tcp(kairos, closed_port, name) for name in ("a", "b", "c")]
    async with admin_browser(kairos) as browser:
        listing = await browser.get("/admin/resources")
        assert 'id="bulk-form"' in listing.text and f'name="ids" value="{a}"' in listing.text
        r = await post_form(
            browser, "/admin/resources/bulk", {"action": "pause", "ids": [str(a), str(c)]}, page="/admin/resources"
        )
        assert r.status_code == 303 and r.headers["location"] == "/admin/resources?bulk=pause&n=2"
        assert "Paused 2 resource(s)." in (await browser.get(r.headers["location"])).text
    active = {i: (await kairos.client.get(f"/api/resources/{i}")).json()["active"] for i in (a, b, c)}
    assert active == {a: False, b: True, c: False}


async def test_a_bulk_delete_asks_first_and_deletes_only_when_confirmed(kairos: Running, closed_port: int) -> None:
    a, b = await _tcp(kairos, closed_port, "old one"), await _tcp(kairos, closed_port, "old two")
    async with admin_browser(kairos) as browser:
        asked = await post_form(
            browser, "/admin/resources/bulk", {"action": "delete", "ids": [str(a), str(b)]}, page="/admin/resources"
        )
        assert asked.status_code == 200 and "Delete 2 resources?" in asked.text
        assert "old one" in asked.text and "old two" in asked.text
        assert (await kairos.client.get(f"/api/resources/{a}")).status_code == 200  # nothing yet
        form = {"action": "delete", "confirm": "yes", "ids": [str(a), str(b)], "csrf_token": csrf_of(asked.text)}
        done = await browser.post("/admin/resources/bulk", data=form)
        assert done.status_code == 303 and "bulk=delete" in done.headers["location"]
    assert [(await kairos.client.get(f"/api/resources/{i}")).status_code for i in (a, b)] == [404, 404]


async def test_moving_a_selection_needs_a_group_and_then_moves(kairos: Running, closed_port: int) -> None:
    group = (await kairos.client.post("/api/groups", json={"name": "edge"})).json()["id"]
    a = await _tcp(kairos, closed_port, "a")
    async with admin_browser(kairos) as browser:
        refused = await post_form(
            browser, "/admin/resources/bulk", {"action": "move", "ids": [str(a)]}, page="/admin/resources"
        )
        assert refused.status_code == 422 and "Nothing was changed: this action needs a group." in refused.text
        nothing = await post_form(browser, "/admin/resources/bulk", {"action": "pause"}, page="/admin/resources")
        assert nothing.status_code == 422 and "Choose at least one resource" in nothing.text
        moved = await post_form(
            browser,
            "/admin/resources/bulk",
            {"action": "move", "ids": [str(a)], "group": str(group)},
            page="/admin/resources",
        )
        assert moved.status_code == 303
    groups = (await kairos.client.get(f"/api/resources/{a}")).json()["groups"]
    assert [g["name"] for g in groups] == ["edge"]


async def test_clone_opens_the_paused_copy_in_its_edit_form(kairos: Running, closed_port: int) -> None:
    source = await _tcp(kairos, closed_port, "db", intervalSeconds=45)
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, f"/admin/resources/{source}/clone", {}, page="/admin/resources")
        assert r.status_code == 303 and r.headers["location"].endswith(f"/edit?cloned={source}")
        copy_id = int(r.headers["location"].split("/")[3])
        form = await browser.get(r.headers["location"])
        assert "This is a paused copy" in form.text and "Edit db (copy)" in form.text
        assert f'href="/resources/{copy_id}"' in form.text  # the form links to the copy's page and history
    copy = (await kairos.client.get(f"/api/resources/{copy_id}")).json()
    assert copy["active"] is False and copy["intervalSeconds"] == 45 and copy["target"] == f"127.0.0.1:{closed_port}"


async def test_the_resource_page_offers_admins_its_actions_and_others_none(kairos: Running, closed_port: int) -> None:
    rid = await _tcp(kairos, closed_port, "cache")
    assert 'id="admin-actions"' not in (await kairos.anon.get(f"/resources/{rid}")).text
    async with admin_browser(kairos) as browser:
        page = await browser.get(f"/resources/{rid}")
        assert 'id="admin-actions"' in page.text and f'href="/admin/resources/{rid}/edit"' in page.text
        paused = await post_form(
            browser, f"/admin/resources/{rid}/disable", {"back": f"/resources/{rid}"}, page=f"/resources/{rid}"
        )
        assert paused.status_code == 303 and paused.headers["location"] == f"/resources/{rid}"
        assert "Resume" in (await browser.get(f"/resources/{rid}")).text
        checked = await post_form(
            browser, f"/admin/resources/{rid}/check", {"back": f"/resources/{rid}"}, page=f"/resources/{rid}"
        )
        assert checked.status_code == 303 and checked.headers["location"] == f"/resources/{rid}"


async def test_a_user_may_not_act_in_bulk(kairos: Running, closed_port: int) -> None:
    rid = await _tcp(kairos, closed_port, "x")
    await add_user(kairos, "user@example.com", "user-password")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "user@example.com", "user-password")
        page = await browser.get("/admin")
        assert 'id="bulk-form"' not in (await browser.get("/admin/resources")).text
        r = await browser.post(
            "/admin/resources/bulk",
            data={"csrf_token": csrf_of(page.text), "action": "delete", "ids": str(rid), "confirm": "yes"},
        )
        assert r.status_code == 403
    assert (await kairos.client.get(f"/api/resources/{rid}")).status_code == 200
