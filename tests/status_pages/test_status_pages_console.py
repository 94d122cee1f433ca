"""``/admin/status-pages``: admins create, edit (with a logo), and delete status pages; errors are form errors."""

from __future__ import annotations

import re

import httpx

from tests.harness import Running
from tests.status_pages.support import PNG, group
from tests.web.pages import add_user, admin_browser, sign_in

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def test_an_admin_creates_edits_and_deletes_a_status_page_in_the_console(kairos: Running) -> None:
    web = await group(kairos, "Web")
    async with admin_browser(kairos) as admin:
        form = await admin.get("/admin/status-pages/new")
        csrf = _CSRF.search(form.text)
        assert form.status_code == 200 and csrf
        data = {"csrf_token": csrf.group(1), "slug": "public", "title": "Public", "description": "*hi*",
                "domain": "status.example.com", "group": str(web)}  # fmt: skip
        r = await admin.post("/admin/status-pages/new", data=data, files={"logo": ("logo.png", PNG, "image/png")})
        assert r.status_code == 303, r.text
        listed = (await admin.get("/admin/status-pages")).text
        assert "/status/public" in listed and "status.example.com" in listed
        pages = (await kairos.client.get("/api/status-pages")).json()
        assert pages[0]["groupIds"] == [web] and pages[0]["logoUrl"] == "/status/public/logo"
        page_id = pages[0]["id"]

        svg = ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml")
        r = await admin.post(f"/admin/status-pages/{page_id}/edit", data={**data, "title": "New"}, files={"logo": svg})
        assert r.status_code == 422 and "SVG is not accepted" in r.text and 'id="logo-error"' in r.text

        r = await admin.post(f"/admin/status-pages/{page_id}/edit", data={**data, "slug": "Bad Slug"})
        assert r.status_code == 422 and 'id="slug-error"' in r.text

        r = await admin.post(f"/admin/status-pages/{page_id}/edit", data={**data, "domain": "", "remove_logo": "on"})
        assert r.status_code == 303
        after = (await kairos.client.get(f"/api/status-pages/{page_id}")).json()
        assert after["domain"] is None and after["logoUrl"] is None

        r = await admin.post(f"/admin/status-pages/{page_id}/delete", data={"csrf_token": csrf.group(1)})
        assert r.status_code == 303
    assert (await kairos.client.get("/api/status-pages")).json() == []


async def test_a_slug_in_use_is_a_form_error(kairos: Running) -> None:
    await kairos.client.post("/api/status-pages", json={"slug": "taken", "title": "x"})
    async with admin_browser(kairos) as admin:
        csrf = _CSRF.search((await admin.get("/admin/status-pages/new")).text)
        assert csrf
        r = await admin.post(
            "/admin/status-pages/new", data={"csrf_token": csrf.group(1), "slug": "taken", "title": "y"}
        )
    assert r.status_code == 422 and "taken by another status page" in r.text


async def test_users_who_are_not_admins_cannot_open_the_console_pages(kairos: Running) -> None:
    await add_user(kairos, "user@example.com", "a-good-password-1")
    async with httpx.AsyncClient(base_url=kairos.url) as user:
        await sign_in(user, "user@example.com", "a-good-password-1")
        assert (await user.get("/admin/status-pages")).status_code == 403
