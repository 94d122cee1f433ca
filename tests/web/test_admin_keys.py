"""The API keys page: a key is shown once, works as a Bearer token, and stops working when revoked."""

from __future__ import annotations

import re

import httpx

from tests.harness import Running
from tests.web.pages import ADMIN_EMAIL, add_user, admin_browser, csrf_of, post_form, sign_in

_KEY = re.compile(r'id="new-key"[^>]*value="(kai_[^"]+)"')


async def _make(browser: httpx.AsyncClient, form: dict[str, str | list[str]]) -> httpx.Response:
    """Create a key: the POST redirects (303) to the page that shows it once."""
    r = await post_form(browser, "/admin/api-keys", form)
    assert r.status_code == 303 and r.headers["location"] == "/admin/api-keys/created", r.text
    return await browser.get(r.headers["location"])


async def test_a_created_key_is_shown_once_and_works_as_a_bearer_token(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await _make(browser, {"name": "deploy bot", "scopes": ["ADMIN"]})
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        match = _KEY.search(r.text)
        assert match, r.text
        key = match.group(1)
        listing = await browser.get("/admin/api-keys")
        assert "deploy bot" in listing.text and key[:12] in listing.text
        assert key not in listing.text  # never again
        assert ADMIN_EMAIL in listing.text  # created by
    bearer = {"Authorization": f"Bearer {key}"}
    answer = await kairos.anon.post("/api/groups", json={"name": "made by the key"}, headers=bearer)
    assert answer.status_code == 201


async def test_a_read_key_reads_but_may_not_write(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await _make(browser, {"name": "grafana", "scopes": ["STATUS_READ"]})
        match = _KEY.search(r.text)
        assert match
    bearer = {"Authorization": f"Bearer {match.group(1)}"}
    assert (await kairos.anon.get("/api/outages", headers=bearer)).status_code == 200
    assert (await kairos.anon.post("/api/groups", json={"name": "x"}, headers=bearer)).status_code == 403


async def test_a_revoked_key_gets_401(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await _make(browser, {"name": "temporary", "scopes": ["STATUS_READ"]})
        match = _KEY.search(r.text)
        assert match
        bearer = {"Authorization": f"Bearer {match.group(1)}"}
        assert (await kairos.anon.get("/api/outages", headers=bearer)).status_code == 200
        listing = await browser.get("/admin/api-keys")
        key_id = re.findall(r'action="/admin/api-keys/(\d+)/revoke"', listing.text)[-1]
        r = await browser.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": csrf_of(listing.text)})
        assert r.status_code == 303 and r.headers["location"] == "/admin/api-keys?revoked=1"
        after = await browser.get(r.headers["location"])
        assert "was revoked" in after.text and "revoked 20" in after.text
    answer = await kairos.anon.get("/api/outages", headers=bearer)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"


async def test_a_key_without_a_name_or_scopes_or_with_an_unknown_scope_is_refused(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, "/admin/api-keys", {"name": "  ", "scopes": ["STATUS_READ"]})
        assert r.status_code == 422 and 'id="key-name-error"' in r.text
        r = await post_form(browser, "/admin/api-keys", {"name": "x", "scopes": ["ROOT"]})
        assert r.status_code == 422 and "Unknown scope &#39;ROOT&#39;" in r.text
        r = await post_form(browser, "/admin/api-keys", {"name": "x"})
        assert r.status_code == 422 and "Choose at least one scope." in r.text
        names = [key["name"] for key in (await kairos.client.get("/api/api-keys")).json()]
        assert "x" not in names and "  " not in names  # nothing was created
        r = await post_form(browser, "/admin/api-keys/4242/revoke", {}, page="/admin/api-keys")
        assert r.status_code == 404


async def test_keys_are_for_admins_only(kairos: Running) -> None:
    assert (await kairos.anon.get("/admin/api-keys")).status_code == 303
    await add_user(kairos, "user@example.com", "user-password")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "user@example.com", "user-password")
        assert (await browser.get("/admin/api-keys")).status_code == 403
        page = await browser.get("/admin")
        r = await browser.post("/admin/api-keys", data={"csrf_token": csrf_of(page.text), "name": "x"})
        assert r.status_code == 403
    async with admin_browser(kairos) as browser:
        r = await browser.post("/admin/api-keys", data={"csrf_token": "forged", "name": "x", "scopes": "STATUS_READ"})
        assert r.status_code == 403 and "kai_" not in r.text


async def test_a_key_made_with_chosen_scopes_may_do_exactly_those_things(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        form: dict[str, str | list[str]] = {"name": "deployer", "scopes": ["CHECK_EXECUTE", "ANNOUNCEMENT_MANAGE"]}
        r = await _make(browser, form)
        match = _KEY.search(r.text)
        assert r.status_code == 200 and match
        listing = await browser.get("/admin/api-keys")
        row = listing.text[listing.text.index("deployer") :]
        assert "CHECK_EXECUTE" in row[:400] and "ANNOUNCEMENT_MANAGE" in row[:400]
    bearer = {"Authorization": f"Bearer {match.group(1)}"}
    announced = await kairos.anon.post("/api/announcements", json={"content": "deploying"}, headers=bearer)
    assert announced.status_code == 201
    group = await kairos.anon.post("/api/groups", json={"name": "x"}, headers=bearer)
    assert group.status_code == 403 and "RESOURCE_MANAGE" in group.json()["error"]["message"]
    outages = await kairos.anon.get("/api/outages", headers=bearer)
    assert outages.status_code == 403 and "STATUS_READ" in outages.json()["error"]["message"]
