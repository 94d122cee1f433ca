"""The console's proxy page: the default proxy and named proxies, form errors, the password never shown, and
read-only when KAIROS_PROXY_* set the default."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.harness import Running, make_settings, running_kairos
from tests.proxy.proxies import PASSWORD
from tests.web.pages import add_user, admin_browser, post_form, sign_in

PAGE = "/admin/proxies"


async def test_an_admin_sets_the_default_and_adds_a_named_proxy(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        assert 'href="/admin/proxies"' in (await browser.get("/admin/settings")).text
        url = f"http://kairos:{PASSWORD}@127.0.0.1:3128"
        r = await post_form(browser, PAGE + "/default", {"url": url, "include": "*.corp.example.com"}, PAGE)
        assert r.status_code == 303
        r = await post_form(
            browser,
            PAGE + "/named",
            {"name": "corp", "named_url": "socks5://u@127.0.0.1:1080", "named_password": PASSWORD},
            PAGE,
        )
        assert r.status_code == 303
        page = (await browser.get(PAGE)).text
        assert (
            "http://kairos@127.0.0.1:3128" in page
            and "*.corp.example.com" in page
            and "socks5://u@127.0.0.1:1080" in page
        )
        assert PASSWORD not in page and "A password is stored" in page
        r = await post_form(browser, PAGE + "/default", {"url": "ftp://x:1", "include": "a b"}, PAGE)
        assert r.status_code == 422 and "must start with http://" in r.text
        r = await post_form(browser, PAGE + "/named", {"name": "direct", "named_url": "http://h:1"}, PAGE)
        assert r.status_code == 422 and "is reserved" in r.text
        r = await post_form(browser, PAGE + "/named/corp/delete", {}, PAGE)
        assert r.status_code == 303 and "socks5://u@" not in (await browser.get(PAGE)).text


async def test_users_who_are_not_admins_do_not_get_the_page(kairos: Running) -> None:
    await add_user(kairos, "user@example.com", "user-password-123")
    async with httpx.AsyncClient(base_url=kairos.url, timeout=30) as client:
        await sign_in(client, "user@example.com", "user-password-123")
        assert (await client.get(PAGE)).status_code in (403, 404)


async def test_a_default_proxy_from_the_environment_is_read_only(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        db_url, tmp_path, proxy_url=f"socks5://kairos:{PASSWORD}@127.0.0.1:1080", proxy_exclude="10.0.0.0/8"
    )
    async with running_kairos(settings) as kairos, admin_browser(kairos) as browser:
        page = (await browser.get(PAGE)).text
        assert "socks5://kairos@127.0.0.1:1080" in page and "KAIROS_PROXY_URL" in page and PASSWORD not in page
        assert 'id="proxy-default-form"' not in page
        r = await kairos.client.put("/api/proxies/default", json={"url": "http://h:1"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "proxy_from_environment"
        listed = await kairos.client.get("/api/proxies")
        assert listed.json()["default"]["managedBy"] == "environment" and PASSWORD not in listed.text
