"""An account that must choose a new password may do nothing but choose it: on the API through its session
(reads included), on every console page, and over HTTP Basic (tests/api/test_access.py). OIDC accounts have
no local password and are never held at the change form."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from kairos.auth import sessions
from kairos.db.models import AppUser
from tests.api.support import assert_error
from tests.harness import Running
from tests.web.pages import ADMIN_EMAIL, NEW_PASSWORD, csrf_of, post_form, sign_in

ADMIN_READS = ("/api/credentials", "/api/api-keys", "/api/config/export", "/api/users", "/api/resources")
PAGES = ("/", "/admin", "/admin/users", "/admin/api-keys", "/admin/settings", "/admin/config", "/outages")


@pytest.fixture
async def fresh_admin(kairos: Running) -> AsyncIterator[httpx.AsyncClient]:
    """The default admin signed in with admin/admin, still at the forced password change."""
    async with httpx.AsyncClient(base_url=kairos.url, timeout=30) as browser:
        r = await sign_in(browser, ADMIN_EMAIL, "admin")
        assert r.headers["location"] == "/account/password"
        browser.headers["X-CSRF-Token"] = csrf_of((await browser.get("/account/password")).text)
        yield browser


async def test_the_api_refuses_every_read_and_write_of_a_session_that_must_change_its_password(
    kairos: Running, fresh_admin: httpx.AsyncClient
) -> None:
    # Was: such a session read credentials, keys, users and the whole exported configuration.
    for path in ADMIN_READS:
        assert_error(await fresh_admin.get(path), 403, "password_change_required")
    assert_error(await fresh_admin.post("/api/api-keys", json={"name": "x"}), 403, "password_change_required")
    me = await fresh_admin.get("/api/users/me")
    assert me.status_code == 200 and me.json()["mustChangePassword"] is True


async def test_every_console_page_but_the_change_form_sends_it_to_the_change_form(
    kairos: Running, fresh_admin: httpx.AsyncClient
) -> None:
    for path in PAGES:
        r = await fresh_admin.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/account/password", path
    assert (await fresh_admin.get("/account/password")).status_code == 200


async def test_changing_the_password_through_the_api_opens_the_rest(
    kairos: Running, fresh_admin: httpx.AsyncClient
) -> None:
    body = {"currentPassword": "admin", "newPassword": NEW_PASSWORD}
    r = await fresh_admin.put("/api/users/me/password", json=body)
    assert r.status_code == 204, r.text
    for path in ADMIN_READS:
        assert (await fresh_admin.get(path)).status_code == 200, path
    assert (await fresh_admin.get("/admin")).status_code == 200
    assert (await kairos.anon.get("/api/users", auth=(ADMIN_EMAIL, NEW_PASSWORD))).status_code == 200


async def test_signing_out_still_works_at_the_change_form(kairos: Running, fresh_admin: httpx.AsyncClient) -> None:
    r = await post_form(fresh_admin, "/logout", {}, page="/account/password")
    assert r.status_code == 303
    assert_error(await fresh_admin.get("/api/users/me"), 401, "unauthorized")


async def test_an_oidc_account_is_never_held_at_the_password_change(kairos: Running) -> None:
    async with kairos.runtime.sessionmaker() as session:
        user = AppUser(
            email="sso@example.com", provider="OIDC", oidc_subject="sub-9", role="ADMIN", must_change_password=True
        )
        session.add(user)
        await session.flush()
        token, _ = await sessions.start(session, user.id)
        await session.commit()
    async with httpx.AsyncClient(base_url=kairos.url, cookies={sessions.COOKIE: token}) as browser:
        assert (await browser.get("/admin")).status_code == 200
        assert (await browser.get("/api/users")).status_code == 200
