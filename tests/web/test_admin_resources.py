"""The console's resource list and forms, over plain HTTP: CSRF-checked forms, the API's validation, and the
scheduler picking every change up at once."""

from __future__ import annotations

import re

import httpx

from tests.api.loopback import Target, closed_port, target
from tests.api.support import create_resource, wait_for_status
from tests.harness import Running, wait_for
from tests.web.pages import ADMIN_EMAIL, add_user, admin_browser, csrf_of, post_form, sign_in

__all__ = ["closed_port", "target"]


def _form(**fields: str) -> dict[str, str]:
    return {"name": "web", "target": "", "active": "on", **fields}


async def test_an_admin_adds_an_http_resource_through_the_form_and_it_is_scheduled(
    kairos: Running, target: Target
) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/resources/new?kind=HTTP")
        assert page.status_code == 200 and 'name="options.method"' in page.text
        r = await post_form(
            browser,
            "/admin/resources/new?kind=HTTP",
            _form(name="Front page", target=target.url("/"), **{"options.acceptedStatusCodes": "200, 3xx"}),
        )
        assert r.status_code == 303, r.text
        created = int(re.search(r"created=(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
        assert created in kairos.runtime.scheduler.resources
        body = await wait_for_status(kairos, created, "available")
        assert body["name"] == "Front page" and body["options"]["acceptedStatusCodes"] == ["200", "3xx"]
        listing = await browser.get(r.headers["location"])
        assert "Added Front page." in listing.text


async def test_the_form_sets_whether_headers_follow_a_redirect_to_another_origin(
    kairos: Running, target: Target
) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/resources/new?kind=HTTP")
        assert 'name="options.forwardHeadersOnRedirect"' in page.text
        fields = {"options.followRedirects": "on", "options.forwardHeadersOnRedirect": "on"}
        r = await post_form(
            browser, "/admin/resources/new?kind=HTTP", _form(name="Fwd", target=target.url("/"), **fields)
        )
        assert r.status_code == 303, r.text
        created = int(re.search(r"created=(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    options = (await kairos.client.get(f"/api/resources/{created}")).json()["options"]
    assert options["forwardHeadersOnRedirect"] is True


async def test_a_refused_field_is_shown_next_to_it_and_the_typed_values_are_kept(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(
            browser,
            "/admin/resources/new?kind=HTTP",
            _form(name="Kept name", target="ftp://example.com/", intervalSeconds="3", **{"options.maxRedirects": "x"}),
            page="/admin/resources/new?kind=HTTP",
        )
        assert r.status_code == 422
        assert re.search(r'id="target-error">[^<]*http', r.text), r.text
        assert 'id="intervalSeconds-error">Enter whole seconds between 5 and 86,400.' in r.text
        assert 'id="opt-maxRedirects-error"' in r.text
        assert 'value="Kept name"' in r.text and 'value="ftp://example.com/"' in r.text and 'value="3"' in r.text
        assert (await kairos.client.get("/api/resources")).json() == []


async def test_an_admin_edits_a_resource_and_the_change_reaches_the_scheduler(kairos: Running, target: Target) -> None:
    res = await create_resource(kairos, target.url("/"), name="before")
    async with admin_browser(kairos) as browser:
        page = await browser.get(f"/admin/resources/{res['id']}/edit")
        assert 'value="before"' in page.text
        r = await post_form(
            browser,
            f"/admin/resources/{res['id']}/edit",
            _form(name="after", target=target.url("/fail"), **{"options.method": "HEAD"}),
        )
        assert r.status_code == 303
    body = (await kairos.client.get(f"/api/resources/{res['id']}")).json()
    assert body["name"] == "after" and body["options"]["method"] == "HEAD"
    assert kairos.runtime.scheduler.resources[res["id"]].target == target.url("/fail")
    await wait_for_status(kairos, res["id"], "not-available")


async def test_an_admin_disables_and_enables_a_resource_from_the_list(kairos: Running, target: Target) -> None:
    res = await create_resource(kairos, target.url("/"))
    async with admin_browser(kairos) as browser:
        r = await post_form(
            browser, f"/admin/resources/{res['id']}/disable", {"back": "/admin/resources?q=t"}, "/admin/resources"
        )
        assert r.status_code == 303 and r.headers["location"] == "/admin/resources?q=t"
        assert kairos.runtime.scheduler.resources[res["id"]].enabled is False
        assert (await kairos.client.get(f"/api/resources/{res['id']}")).json()["active"] is False
        r = await post_form(browser, f"/admin/resources/{res['id']}/enable", {}, "/admin/resources")
        assert kairos.runtime.scheduler.resources[res["id"]].enabled is True


async def test_deleting_asks_for_confirmation_first(kairos: Running, target: Target) -> None:
    res = await create_resource(kairos, target.url("/"), name="doomed")
    async with admin_browser(kairos) as browser:
        confirm = await browser.get(f"/admin/resources/{res['id']}/delete")
        assert confirm.status_code == 200 and "Delete doomed?" in confirm.text
        assert (await kairos.client.get(f"/api/resources/{res['id']}")).status_code == 200
        r = await post_form(browser, f"/admin/resources/{res['id']}/delete", {}, f"/admin/resources/{res['id']}/delete")
        assert r.status_code == 303
        assert "Deleted doomed." in (await browser.get(r.headers["location"])).text
    assert (await kairos.client.get(f"/api/resources/{res['id']}")).status_code == 404
    assert res["id"] not in kairos.runtime.scheduler.resources


async def test_check_now_without_javascript_shows_the_fresh_verdict_on_the_list(
    kairos: Running, closed_port: int
) -> None:
    res = await create_resource(kairos, f"127.0.0.1:{closed_port}", resourceType="TCP", name="shut")
    async with admin_browser(kairos) as browser:
        r = await post_form(
            browser, f"/admin/resources/{res['id']}/check", {"back": "/admin/resources?kind=TCP"}, "/admin/resources"
        )
        assert r.status_code == 303 and r.headers["location"] == f"/admin/resources?kind=TCP&checked={res['id']}"
        page = (await browser.get(r.headers["location"])).text
        assert 'id="check-result"' in page and "NOT AVAILABLE" in page and "connect_refused" in page


async def test_a_user_without_the_admin_role_sees_the_list_but_cannot_change_anything(
    kairos: Running, target: Target
) -> None:
    res = await create_resource(kairos, target.url("/"), name="watched")
    await add_user(kairos, "viewer@example.com", "viewer-password-1")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "viewer@example.com", "viewer-password-1")
        listing = await browser.get("/admin/resources")
        assert listing.status_code == 200 and "watched" in listing.text
        assert "/admin/resources/new" not in listing.text and "Check now" not in listing.text
        assert (await browser.get("/admin/resources/new")).status_code == 403
        assert (await browser.get(f"/admin/resources/{res['id']}/edit")).status_code == 403
        token = csrf_of(listing.text)
        for action in ("delete", "disable", "check", "edit"):
            r = await browser.post(f"/admin/resources/{res['id']}/{action}", data={"csrf_token": token, "name": "x"})
            assert r.status_code == 403 and "needs an admin" in r.text, action
        r = await browser.post("/admin/resources/new", data={"csrf_token": token, "name": "x", "target": target.url()})
        assert r.status_code == 403
    assert (await kairos.client.get(f"/api/resources/{res['id']}")).json()["name"] == "watched"


async def test_a_form_without_the_csrf_token_changes_nothing(kairos: Running, target: Target) -> None:
    res = await create_resource(kairos, target.url("/"))
    async with admin_browser(kairos) as browser:
        r = await browser.post(f"/admin/resources/{res['id']}/delete", data={"csrf_token": "forged"})
        assert r.status_code == 403
    assert (await kairos.client.get(f"/api/resources/{res['id']}")).status_code == 200


async def test_the_list_filters_by_text_kind_status_group_and_enabled(kairos: Running, target: Target) -> None:
    group = (await kairos.client.post("/api/groups", json={"name": "edge", "visibility": "PUBLIC"})).json()
    web = await create_resource(kairos, target.url("/"), name="web-front", groupIds=[group["id"]])
    await create_resource(kairos, target.url("/fail"), name="broken")
    await create_resource(kairos, "127.0.0.1:1", resourceType="TCP", name="db-port", active=False)
    await wait_for_status(kairos, web["id"], "available")
    await wait_for(lambda: len(kairos.runtime.board.states) == 3)

    async def names(query: str) -> set[str]:
        page = (await browser.get("/admin/resources" + query)).text
        return set(re.findall(r'<td class="name"><a href="[^"]+">([^<]+)</a>', page))

    async with admin_browser(kairos) as browser:
        assert await names("") == {"web-front", "broken", "db-port"}
        assert await names("?q=FRONT") == {"web-front"}
        assert await names("?kind=TCP") == {"db-port"}
        assert await names("?status=available") == {"web-front"}
        assert await names(f"?group={group['id']}") == {"web-front"}
        assert await names("?enabled=no") == {"db-port"}
        assert "No resource matches these filters." in (await browser.get("/admin/resources?q=nothing")).text


async def test_the_new_form_can_be_prefilled_and_an_unknown_resource_is_a_404_page(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/resources/new", params={"kind": "tcp", "target": "db:5432", "name": "DB"})
        assert 'value="db:5432"' in page.text and 'value="DB"' in page.text
        # TCP has options since the tls option (and the certificate expiry ones): its fieldset is there.
        assert "TCP port options" in page.text and 'name="options.tls"' in page.text
        assert (await browser.get("/admin/resources/999/edit")).status_code == 404
    assert ADMIN_EMAIL


async def test_a_user_account_may_not_run_instant_checks(kairos: Running, target: Target) -> None:
    await add_user(kairos, "viewer@example.test", "viewer-password-1")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "viewer@example.test", "viewer-password-1")
        assert 'href="/admin/instant-check"' not in (await browser.get("/admin")).text
        page = await browser.get("/admin/instant-check")
        assert page.status_code == 403 and "This page needs an admin." in page.text
        form = {"resourceType": "HTTP", "target": target.url("/"), "options.bodyContains": "ok"}
        r = await post_form(browser, "/admin/instant-check", form, page="/admin")
        assert r.status_code == 403 and "AVAILABLE" not in r.text


async def test_the_instant_check_page_works_without_javascript(kairos: Running, target: Target) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/instant-check")
        assert page.status_code == 200 and 'id="ic-docker-manifestOnly"' in page.text
        form = {
            "resourceType": "HTTP",
            "target": target.url("/x"),
            "options.method": "HEAD",
            "options.followRedirects": "on",
        }
        r = await post_form(browser, "/admin/instant-check", form)
        assert r.status_code == 200 and "AVAILABLE" in r.text and 'data-phase="connectMs"' in r.text
        assert 'id="track" href="/admin/resources/new?kind=HTTP&amp;target=http' in r.text
        r = await post_form(browser, "/admin/instant-check", {"resourceType": "TCP", "target": "nohost"})
        assert r.status_code == 422 and 'id="target-error"' in r.text and 'value="nohost"' in r.text
    assert (await kairos.client.get("/api/resources")).json() == []
