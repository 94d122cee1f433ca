"""A new API key or ping URL is shown once after a redirect, so a reload makes no second one (issue 16).

The POST answers 303 to a page of its own; the secret rides to it in a sealed, HttpOnly cookie whose path is
that page (kairos/web/reveal.py). The page shows it once and drops the cookie; a reload says it cannot be shown
again. The secret is never in a URL (so in no access log line or Referer), and a copied cookie opens nowhere
but in the sign-in session that made it."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.harness import Running
from tests.web.pages import add_user, admin_browser, csrf_of, post_form, sign_in

_KEY = re.compile(r'id="new-key"[^>]*value="(kai_[^"]+)"')
_URL = re.compile(r'id="push-url"[^>]*value="([^"]+)"')
GONE = "cannot be shown again"


async def _key_names(kairos: Running) -> list[str]:
    """Made in the console (the harness's own client key, "tests", left out)."""
    return [key["name"] for key in (await kairos.client.get("/api/api-keys")).json() if key["name"] != "tests"]


def _reveal_cookie(response: httpx.Response) -> str:
    header = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "kairos_reveal=" in v)
    return header.lower()


async def test_creating_a_key_redirects_and_the_key_is_shown_once(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        posted = await post_form(browser, "/admin/api-keys", {"name": "deploy bot", "scopes": ["STATUS_READ"]})
        assert posted.status_code == 303 and posted.headers["location"] == "/admin/api-keys/created"
        cookie = _reveal_cookie(posted)
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/admin/api-keys/created" in cookie
        assert "kai_" not in posted.text and "kai_" not in posted.headers["location"]
        shown = await browser.get("/admin/api-keys/created")
        match = _KEY.search(shown.text)
        assert shown.status_code == 200 and match, shown.text
        assert shown.headers["cache-control"] == "no-store" and "deploy bot" in shown.text
        key = match.group(1)
        assert key not in _reveal_cookie(posted)  # sealed, not the key in clear
        # The "reload": the page no longer has the key, and no second key was made.
        again = await browser.get("/admin/api-keys/created")
        assert again.status_code == 200 and key not in again.text and GONE in again.text
        assert 'id="key-gone"' in again.text
    assert await _key_names(kairos) == ["deploy bot"]
    # The key shown is the one that works.
    answer = await kairos.anon.get("/api/outages", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200


async def test_the_sealed_cookie_opens_only_in_the_session_that_made_it(kairos: Running) -> None:
    async with admin_browser(kairos) as maker:
        posted = await post_form(maker, "/admin/api-keys", {"name": "stolen", "scopes": ["ADMIN"]})
        sealed = posted.cookies["kairos_reveal"]
        await add_user(kairos, "other@example.com", "other-password", role="ADMIN")
        async with httpx.AsyncClient(base_url=kairos.url) as other:  # another admin's session
            await sign_in(other, "other@example.com", "other-password")
            other.cookies.set("kairos_reveal", sealed, path="/admin/api-keys/created")
            elsewhere = await other.get("/admin/api-keys/created")
            assert elsewhere.status_code == 200 and GONE in elsewhere.text and "kai_" not in elsewhere.text
        mine = await maker.get("/admin/api-keys/created")
        assert _KEY.search(mine.text), mine.text


@pytest.mark.parametrize("forged", ["", "not-a-token", "gAAAAAB" + "A" * 200, "x" * 5000])
async def test_a_forged_or_missing_cookie_shows_nothing(kairos: Running, forged: str) -> None:
    async with admin_browser(kairos) as browser:
        if forged:
            browser.cookies.set("kairos_reveal", forged, path="/admin/api-keys/created")
        page = await browser.get("/admin/api-keys/created")
        assert page.status_code == 200 and GONE in page.text and "kai_" not in page.text


async def test_the_page_is_for_admins_only(kairos: Running) -> None:
    assert (await kairos.anon.get("/admin/api-keys/created")).status_code == 303  # to the sign-in page


async def test_a_ping_url_is_shown_once_after_creating_and_after_rotating(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        form = {"name": "nightly", "target": "", "active": "on", "options.graceSeconds": "60"}
        posted = await post_form(browser, "/admin/resources/new?kind=PUSH", form)
        assert posted.status_code == 303, posted.text
        where = posted.headers["location"]
        assert re.fullmatch(r"/admin/resources/\d+/ping-url", where) and "kp_" not in posted.text
        first = await browser.get(where)
        match = _URL.search(first.text)
        assert first.status_code == 200 and match and first.headers["cache-control"] == "no-store"
        url = match.group(1)
        reload = await browser.get(where)
        assert url not in reload.text and GONE in reload.text and 'id="push-token-gone"' in reload.text
        rid = int(where.split("/")[3])
        listing = (await kairos.client.get("/api/resources")).json()
        assert [r["name"] for r in listing if r["resourceType"] == "PUSH"] == ["nightly"]  # no second resource
        assert (await kairos.anon.get(url)).status_code == 200  # the URL shown is the live one
        # Rotating: the same pattern; a reload rotates nothing.
        rotate = f"/admin/resources/{rid}/push-token"
        page = await browser.get(rotate)
        rotated = await browser.post(rotate, data={"csrf_token": csrf_of(page.text)})
        assert rotated.status_code == 303 and rotated.headers["location"] == where
        new = _URL.search((await browser.get(where)).text)
        assert new and new.group(1) != url
        assert GONE in (await browser.get(where)).text
    assert (await kairos.anon.get(url)).status_code == 404
    assert (await kairos.anon.get(new.group(1))).status_code == 200


async def test_a_ping_url_cookie_for_one_resource_shows_nothing_on_another(kairos: Running) -> None:
    made = [
        (await kairos.client.post("/api/resources", json={"name": n, "resourceType": "PUSH", "target": "x"})).json()
        for n in ("a", "b")
    ]
    async with admin_browser(kairos) as browser:
        rotate = f"/admin/resources/{made[0]['id']}/push-token"
        page = await browser.get(rotate)
        posted = await browser.post(rotate, data={"csrf_token": csrf_of(page.text)})
        other = f"/admin/resources/{made[1]['id']}/ping-url"
        browser.cookies.set("kairos_reveal", posted.cookies["kairos_reveal"], path=other)
        shown = await browser.get(other)
        assert shown.status_code == 200 and GONE in shown.text and 'id="push-url"' not in shown.text
