"""Signing in through a real OpenID provider: users are created at their first sign-in, found again by their
subject, and get their role from the provider's groups at every sign-in."""

from __future__ import annotations

import httpx
from sqlalchemy import select, update

from kairos.db.models import AppUser
from tests.oidc.support import OidcKairos, sign_in


async def _user(kairos: OidcKairos, email: str) -> AppUser | None:
    async with kairos.runtime.sessionmaker() as session:
        return (await session.execute(select(AppUser).where(AppUser.email == email))).scalar()


async def test_the_first_sign_in_creates_an_oidc_admin_from_the_groups_claim(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        r = await sign_in(client, oidc_kairos.url, "alice")
        assert r.status_code == 303 and r.headers["location"] == "/admin"
        assert (await client.get(oidc_kairos.url + "/admin/api-keys")).status_code == 200
    user = await _user(oidc_kairos, "alice@example.test")
    assert user is not None
    assert (user.provider, user.oidc_subject, user.role, user.name) == ("OIDC", "alice", "ADMIN", "Alice Example")
    assert user.password_hash is None and not user.must_change_password
    assert user.last_login_at is not None


async def test_a_member_without_the_admin_group_becomes_a_user(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        r = await sign_in(client, oidc_kairos.url, "bob")
        assert r.status_code == 303
        assert (await client.get(oidc_kairos.url + "/admin/api-keys")).status_code == 403
    user = await _user(oidc_kairos, "bob@example.test")
    assert user is not None and (user.role, user.provider) == ("USER", "OIDC")


async def test_a_second_sign_in_finds_the_same_user_and_follows_next(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, oidc_kairos.url, "alice")
    first = await _user(oidc_kairos, "alice@example.test")
    async with httpx.AsyncClient(timeout=30) as client:
        r = await sign_in(client, oidc_kairos.url, "alice", next_path="/admin/resources?page=2")
        assert r.headers["location"] == "/admin/resources?page=2"
        assert (await client.get(oidc_kairos.url + "/admin/resources")).status_code == 200
    second = await _user(oidc_kairos, "alice@example.test")
    assert first is not None and second is not None and first.id == second.id
    assert second.last_login_at is not None and first.last_login_at is not None
    assert second.last_login_at > first.last_login_at


async def test_next_only_leads_to_paths_on_this_site(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        r = await sign_in(client, oidc_kairos.url, "alice", next_path="//evil.example/steal")
    assert r.headers["location"] == "/admin"


async def test_roles_are_evaluated_again_at_every_sign_in(oidc_kairos: OidcKairos) -> None:
    provider = oidc_kairos.provider
    provider.set_account("erin", email="erin@example.test", email_verified=True, groups=["admins"])
    async with httpx.AsyncClient(timeout=30) as first, httpx.AsyncClient(timeout=30) as second:
        await sign_in(first, oidc_kairos.url, "erin")
        assert (await first.get(oidc_kairos.url + "/admin/api-keys")).status_code == 200
        provider.set_account("erin", email="erin@example.test", email_verified=True, groups=["staff"])
        await sign_in(second, oidc_kairos.url, "erin")
        # The earlier session reads the role from the user row: the demotion applies to it at once.
        assert (await first.get(oidc_kairos.url + "/admin/api-keys")).status_code == 403
    user = await _user(oidc_kairos, "erin@example.test")
    assert user is not None and user.role == "USER"


async def test_the_last_enabled_admin_keeps_the_role_without_the_claim(oidc_kairos: OidcKairos) -> None:
    provider = oidc_kairos.provider
    provider.set_account("frank", email="frank@example.test", groups=["admins"])
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, oidc_kairos.url, "frank")
    async with oidc_kairos.runtime.sessionmaker() as session:  # the default admin leaves
        await session.execute(update(AppUser).where(AppUser.provider == "LOCAL").values(enabled=False))
        await session.commit()
    provider.set_account("frank", email="frank@example.test", groups=[])
    async with httpx.AsyncClient(timeout=30) as client:
        assert (await sign_in(client, oidc_kairos.url, "frank")).status_code == 303
    user = await _user(oidc_kairos, "frank@example.test")
    assert user is not None and user.role == "ADMIN"


async def test_a_changed_email_at_the_provider_follows_the_subject(oidc_kairos: OidcKairos) -> None:
    provider = oidc_kairos.provider
    provider.set_account("gina", email="gina@example.test", name="Gina")
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, oidc_kairos.url, "gina")
    provider.set_account("gina", email="gina.new@example.test", name="Gina New")
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, oidc_kairos.url, "gina")
    user = await _user(oidc_kairos, "gina.new@example.test")
    assert user is not None and (user.oidc_subject, user.name) == ("gina", "Gina New")
    assert await _user(oidc_kairos, "gina@example.test") is None
