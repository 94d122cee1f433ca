"""The groups page over plain HTTP: the board in order, and the forms that work without JavaScript."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from tests.harness import Running
from tests.web.pages import add_user, admin_browser, csrf_of, post_form, sign_in


async def resource(kairos: Running, name: str, **fields: Any) -> int:
    body = {"name": name, "resourceType": "TCP", "target": "127.0.0.1:9", "active": False, **fields}
    answer = await kairos.client.post("/api/resources", json=body)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def board_state(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="board-data">(.*?)</script>', html, re.S)
    assert match
    return dict(json.loads(match.group(1)))


async def test_the_board_shows_groups_and_members_in_order_and_the_ungrouped_rest(kairos: Running) -> None:
    web = (await kairos.client.post("/api/groups", json={"name": "web"})).json()["id"]
    ops = (await kairos.client.post("/api/groups", json={"name": "ops", "visibility": "HIDDEN"})).json()["id"]
    a, b, c = [await resource(kairos, n) for n in ("alpha", "beta", "gamma")]
    await kairos.client.put("/api/groups/order", json={"groupIds": [ops, web]})
    await kairos.client.put(f"/api/groups/{web}/order", json={"resourceIds": [b, a]})
    await kairos.client.put(f"/api/groups/{ops}/order", json={"resourceIds": [a]})
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/groups")
    assert page.status_code == 200
    state = board_state(page.text)
    assert [(g["name"], g["members"]) for g in state["groups"]] == [("ops", [a]), ("web", [b, a])]
    assert state["resources"][str(c)]["name"] == "gamma"
    ungrouped = page.text.split('aria-label="Ungrouped"')[1].split("</section>")[0]
    assert "gamma" in ungrouped and "alpha" not in ungrouped
    assert page.text.index("ops</h3>") < page.text.index("web</h3>")
    assert "Alt</kbd>+<kbd>↑</kbd>" in page.text  # the keys are written on the page
    assert "admin-groups.js" in page.text and "<script>" not in page.text


async def test_groups_are_created_renamed_and_deleted_with_plain_forms(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, "/admin/groups", {"name": "Internal", "visibility": "AUTHENTICATED"})
        assert r.status_code == 303 and r.headers["location"] == "/admin/groups?done=created"
        group = (await kairos.client.get("/api/groups")).json()[0]
        assert (group["name"], group["visibility"]) == ("Internal", "AUTHENTICATED")
        r = await post_form(
            browser, f"/admin/groups/{group['id']}", {"name": "Staff", "visibility": "HIDDEN"}, page="/admin/groups"
        )
        assert r.status_code == 303
        assert "The group was saved." in (await browser.get(r.headers["location"])).text
        group = (await kairos.client.get("/api/groups")).json()[0]
        assert (group["name"], group["visibility"]) == ("Staff", "HIDDEN")
        r = await post_form(browser, f"/admin/groups/{group['id']}/delete", {}, page="/admin/groups")
        assert r.status_code == 303 and r.headers["location"] == "/admin/groups?done=deleted"
        assert (await kairos.client.get("/api/groups")).json() == []


async def test_deleting_a_group_keeps_its_resources(kairos: Running) -> None:
    g = (await kairos.client.post("/api/groups", json={"name": "web"})).json()["id"]
    r = await resource(kairos, "kept", groupIds=[g])
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/groups")
        assert f'Its <span data-count-for="{g}">1</span> resource(s) stay' in page.text
        await browser.post(f"/admin/groups/{g}/delete", data={"csrf_token": csrf_of(page.text)})
    assert (await kairos.client.get(f"/api/resources/{r}")).json()["groups"] == []


async def test_bad_group_forms_say_what_is_wrong(kairos: Running) -> None:
    await kairos.client.post("/api/groups", json={"name": "web"})
    other = (await kairos.client.post("/api/groups", json={"name": "ops"})).json()["id"]
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, "/admin/groups", {"name": "WEB", "visibility": "PUBLIC"})
        assert r.status_code == 409 and 'id="new-name-error"' in r.text and "exists already" in r.text
        r = await post_form(browser, "/admin/groups", {"name": " ", "visibility": "PUBLIC"})
        assert r.status_code == 422 and "This is required." in r.text
        r = await post_form(browser, "/admin/groups", {"name": "x", "visibility": "SECRET"})
        assert r.status_code == 422 and 'id="new-visibility-error"' in r.text
        r = await post_form(browser, f"/admin/groups/{other}", {"name": "web", "visibility": "PUBLIC"}, "/admin/groups")
        assert r.status_code == 409 and f'id="name-{other}-error"' in r.text
        r = await post_form(browser, "/admin/groups/4242/delete", {}, page="/admin/groups")
        assert r.status_code == 404
    assert [g["name"] for g in (await kairos.client.get("/api/groups")).json()] == ["web", "ops"]


async def test_the_groups_page_is_for_admins_only(kairos: Running) -> None:
    assert (await kairos.anon.get("/admin/groups")).headers["location"].startswith("/login")
    await add_user(kairos, "user@example.com", "user-password")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "user@example.com", "user-password")
        assert (await browser.get("/admin/groups")).status_code == 403
        page = await browser.get("/admin")
        r = await browser.post("/admin/groups", data={"csrf_token": csrf_of(page.text), "name": "x"})
        assert r.status_code == 403
    assert (await kairos.client.get("/api/groups")).json() == []
