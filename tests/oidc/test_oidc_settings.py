"""What the OIDC settings change: the sign-in page, the password form switch, public clients, the role claim,
and the state cookie."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, update

from kairos.auth import sessions
from kairos.auth.oidc import STATE_COOKIE
from kairos.db.models import AppUser
from kairos.web.templating import CSRF_COOKIE
from tests.harness import Running
from tests.oidc.support import OidcKairos, sign_in
from tests.web.pages import ADMIN_EMAIL
from tests.web.pages import sign_in as password_sign_in


async def _role(kairos: OidcKairos, subject: str) -> str | None:
    async with kairos.runtime.sessionmaker() as session:
        return (await session.execute(select(AppUser.role).where(AppUser.oidc_subject == subject))).scalar()


async def test_the_sign_in_page_offers_the_provider_beside_the_password_form(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(base_url=oidc_kairos.url, timeout=30) as client:
        page = (await client.get("/login", params={"next": "/admin/resources?x=1"})).text
        assert 'href="/login/oidc?next=/admin/resources%3Fx%3D1"' in page
        assert "Sign in with Example ID" in page and 'name="password"' in page
        assert (await password_sign_in(client, ADMIN_EMAIL, "admin")).status_code == 303


@pytest.mark.parametrize("oidc_overrides", [{"local_login_enabled": False}])
async def test_without_local_login_the_form_is_gone_and_passwords_are_refused(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(base_url=oidc_kairos.url, timeout=30) as client:
        page = (await client.get("/login")).text
        assert "Sign in with Example ID" in page and 'name="password"' not in page
        # A hand-made POST (the anonymous CSRF token is the double-submit cookie's) is refused too.
        form = {"csrf_token": client.cookies[CSRF_COOKIE], "email": ADMIN_EMAIL, "password": "admin"}
        r = await client.post("/login", data=form)
        assert r.status_code == 403 and "turned off" in r.text
        assert sessions.COOKIE not in client.cookies
        assert (await sign_in(client, oidc_kairos.url, "alice")).status_code == 303


async def test_without_oidc_there_is_no_button_and_no_oidc_route(kairos: Running) -> None:
    async with httpx.AsyncClient(base_url=kairos.url, timeout=30) as client:
        assert "/login/oidc" not in (await client.get("/login")).text
        assert (await client.get("/login/oidc")).status_code == 404
        assert (await client.get("/auth/callback", params={"code": "x", "state": "y"})).status_code == 404
        assert STATE_COOKIE not in client.cookies


@pytest.mark.parametrize("oidc_overrides", [{"oidc_client_id": "uptime-public", "oidc_client_secret": None}])
async def test_a_public_client_signs_in_with_pkce_alone(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        assert (await sign_in(client, oidc_kairos.url, "bob")).status_code == 303
    assert await _role(oidc_kairos, "bob") == "USER"


@pytest.mark.parametrize(
    "oidc_overrides", [{"oidc_role_claim": "realm_access.roles", "oidc_admin_values": "ops, kairos-admin"}]
)
async def test_a_keycloak_style_realm_role_makes_an_admin(oidc_kairos: OidcKairos) -> None:
    oidc_kairos.provider.set_account("kim", email="kim@example.test", realm_access={"roles": ["kairos-admin"]})
    oidc_kairos.provider.set_account("lee", email="lee@example.test", realm_access={"roles": "viewer"})
    async with httpx.AsyncClient(timeout=30) as kim, httpx.AsyncClient(timeout=30) as lee:
        await sign_in(kim, oidc_kairos.url, "kim")
        await sign_in(lee, oidc_kairos.url, "lee")
    assert (await _role(oidc_kairos, "kim"), await _role(oidc_kairos, "lee")) == ("ADMIN", "USER")


@pytest.mark.parametrize("oidc_overrides", [{"oidc_admin_values": ""}])
async def test_without_admin_values_roles_are_managed_in_kairos(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, oidc_kairos.url, "alice")
    assert await _role(oidc_kairos, "alice") == "USER"
    async with oidc_kairos.runtime.sessionmaker() as session:
        await session.execute(update(AppUser).where(AppUser.oidc_subject == "alice").values(role="ADMIN"))
        await session.commit()
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, oidc_kairos.url, "alice")
    assert await _role(oidc_kairos, "alice") == "ADMIN"


async def test_the_state_cookie_is_short_lived_and_secure_behind_https(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(base_url=oidc_kairos.url, timeout=30) as client:
        plain = (await client.get("/login/oidc")).headers["set-cookie"]
        proxied = await client.get("/login/oidc", headers={"X-Forwarded-Proto": "https"})
    assert plain.startswith(STATE_COOKIE + "=")
    assert all(part in plain.lower() for part in ("max-age=600", "httponly", "samesite=lax"))
    assert "secure" not in plain.lower()
    assert "secure" in proxied.headers["set-cookie"].lower()
    assert "redirect_uri=https%3A%2F%2F127.0.0.1" in proxied.headers["location"]


@pytest.mark.parametrize("oidc_overrides", [{"oidc_redirect_uri": "https://status.example.test/auth/callback"}])
async def test_a_configured_redirect_uri_is_sent_as_is(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(base_url=oidc_kairos.url, timeout=30) as client:
        r = await client.get("/login/oidc")
    assert "redirect_uri=https%3A%2F%2Fstatus.example.test%2Fauth%2Fcallback" in r.headers["location"]
    assert "code_challenge_method=S256" in r.headers["location"]
