"""The settings page: the title and the public targets switch, effective on the next page."""

from __future__ import annotations

import re

import httpx

from tests.harness import Running
from tests.web.pages import add_user, admin_browser, post_form, sign_in


async def test_a_new_title_shows_in_the_header_of_every_page(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/settings")
        assert page.status_code == 200 and 'value="Kairos"' in page.text
        r = await post_form(browser, "/admin/settings", {"title": "Acme status", "show_targets": "on"})
        assert r.status_code == 303 and r.headers["location"] == "/admin/settings?saved=1"
        saved = await browser.get(r.headers["location"])
        assert "Saved." in saved.text and 'value="Acme status"' in saved.text
    public = await kairos.anon.get("/login")
    assert '<a class="brand" href="/">Acme status</a>' in public.text
    assert "<title>Sign in · Acme status</title>" in public.text
    assert (await kairos.anon.get("/api/settings")).json() == {
        "title": "Acme status",
        "showTargets": True,
        "timeZone": "UTC",
        "availabilityDecimals": 2,
    }


async def test_unticking_show_targets_hides_them_from_anonymous_visitors(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, "/admin/settings", {"title": "Kairos"})
        assert r.status_code == 303
        page = await browser.get("/admin/settings")
        assert re.search(r'id="show_targets"[^>]*checked', page.text) is None
    assert kairos.runtime.site.show_targets is False


async def test_a_blank_title_is_refused_next_to_the_field(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, "/admin/settings", {"title": "   "})
        assert r.status_code == 422
        assert 'id="title-error"' in r.text and "This is required." in r.text
    assert kairos.runtime.site.title == "Kairos"


async def test_the_settings_page_is_for_admins_only(kairos: Running) -> None:
    assert (await kairos.anon.get("/admin/settings")).headers["location"].startswith("/login")
    await add_user(kairos, "user@example.com", "user-password")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "user@example.com", "user-password")
        assert (await browser.get("/admin/settings")).status_code == 403
    async with admin_browser(kairos) as browser:
        r = await browser.post("/admin/settings", data={"title": "x", "csrf_token": "forged"})
        assert r.status_code == 403
    assert kairos.runtime.site.title == "Kairos"
