"""Sign-ins that must fail: each shows the sign-in page with a message, creates no session and logs one line
without codes or tokens."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import func, select, update

from kairos.auth import sessions
from kairos.auth.oidc import STATE_COOKIE
from kairos.db.models import AppUser
from tests.oidc.support import (
    OidcKairos,
    Provider,
    authorize,
    kairos_on_port,
    oidc_settings,
    running_provider,
    sign_in,
)
from tests.servers.ports import free_port


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **changes})))


async def _count(kairos: OidcKairos, **where: str) -> int:
    async with kairos.runtime.sessionmaker() as session:
        stmt = select(func.count()).select_from(AppUser).filter_by(**where)
        return int((await session.execute(stmt)).scalar_one())


def _refused(r: httpx.Response, status: int, words: str) -> None:
    assert r.status_code == status, r.text
    assert 'id="login-error"' in r.text and words in r.text
    assert sessions.COOKIE not in r.cookies


async def test_an_account_without_an_email_is_refused(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        _refused(await sign_in(client, oidc_kairos.url, "carol"), 403, "did not share an email address")
    assert await _count(oidc_kairos, provider="OIDC") == 0


async def test_an_unverified_email_is_refused(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        _refused(await sign_in(client, oidc_kairos.url, "dave"), 403, "not verified")


async def test_a_local_account_with_the_same_email_is_not_taken_over(oidc_kairos: OidcKairos) -> None:
    async with oidc_kairos.runtime.sessionmaker() as session:
        session.add(AppUser(email="Alice@Example.test", password_hash="x", role="ADMIN"))
        await session.commit()
    async with httpx.AsyncClient(timeout=30) as client:
        _refused(await sign_in(client, oidc_kairos.url, "alice"), 403, "already exists and signs in another way")
    assert await _count(oidc_kairos, provider="OIDC") == 0
    assert await _count(oidc_kairos, email="Alice@Example.test", provider="LOCAL") == 1


async def test_an_email_taken_later_by_another_account_is_not_shared(oidc_kairos: OidcKairos) -> None:
    oidc_kairos.provider.set_account("hank", email="hank@example.test")
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, oidc_kairos.url, "hank")
    await add_user_as(oidc_kairos, "hank.new@example.test")
    oidc_kairos.provider.set_account("hank", email="hank.new@example.test")
    async with httpx.AsyncClient(timeout=30) as client:
        _refused(await sign_in(client, oidc_kairos.url, "hank"), 403, "already exists")


async def add_user_as(kairos: OidcKairos, email: str) -> None:
    async with kairos.runtime.sessionmaker() as session:
        session.add(AppUser(email=email, password_hash="x"))
        await session.commit()


async def test_a_disabled_oidc_user_is_refused(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, oidc_kairos.url, "alice")
    async with oidc_kairos.runtime.sessionmaker() as session:
        await session.execute(update(AppUser).where(AppUser.oidc_subject == "alice").values(enabled=False))
        await session.commit()
    async with httpx.AsyncClient(timeout=30) as client:
        _refused(await sign_in(client, oidc_kairos.url, "alice"), 403, "disabled")


async def test_a_tampered_state_is_refused(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        callback = await authorize(client, oidc_kairos.url, "alice")
        _refused(await client.get(_with_query(callback, state="forged")), 400, "expired or was opened in another")


async def test_a_callback_opened_in_another_browser_is_refused(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        callback = await authorize(client, oidc_kairos.url, "alice")
    async with httpx.AsyncClient(timeout=30) as other:
        _refused(await other.get(callback), 400, "opened in another browser")
    assert await _count(oidc_kairos, provider="OIDC") == 0


async def test_a_callback_used_twice_is_refused(oidc_kairos: OidcKairos, caplog: pytest.LogCaptureFixture) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        callback = await authorize(client, oidc_kairos.url, "alice")
        saved_state = client.cookies[STATE_COOKIE]
        assert (await client.get(callback)).status_code == 303
        _refused(await client.get(callback), 400, "Start again")
    # Even with the state cookie replayed, the provider refuses the used code.
    async with httpx.AsyncClient(timeout=30, cookies={STATE_COOKIE: saved_state}) as replay:
        _refused(await replay.get(callback), 401, "already used or has expired")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    refusals = [r for r in caplog.records if r.name == "kairos.oidc" and "refused" in r.getMessage()]
    assert len(refusals) == 2 and "invalid_grant" in refusals[-1].getMessage()
    assert code not in caplog.text and saved_state not in caplog.text


async def test_an_error_from_the_provider_is_shown_without_its_free_text(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        callback = await authorize(client, oidc_kairos.url, "alice")
        state = parse_qs(urlsplit(callback).query)["state"][0]
        r = await client.get(
            oidc_kairos.url + "/auth/callback",
            params={"error": "access_denied", "error_description": "Call +1 555 0100 now", "state": state},
        )
    _refused(r, 401, "cancelled or refused at the identity provider")
    assert "555" not in r.text


async def test_an_answer_naming_another_issuer_is_refused(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        callback = await authorize(client, oidc_kairos.url, "alice")
        _refused(await client.get(_with_query(callback, iss="http://login.example.test")), 401, "could not be verified")


async def test_a_provider_claiming_another_issuer_is_refused(db_url: str, tmp_path: Path, kairos_port: int) -> None:
    # Discovery at the configured address names a different issuer (a typo'd or proxied issuer URI, or an
    # impostor): Kairos stops before sending anyone there.
    with running_provider(f"http://127.0.0.1:{kairos_port}/auth/callback", issuer="http://login.example.test") as liar:
        settings = oidc_settings(db_url, tmp_path, kairos_port, liar.issuer)
        async with kairos_on_port(settings, kairos_port), httpx.AsyncClient(timeout=30) as client:
            r = await client.get(f"http://127.0.0.1:{kairos_port}/login/oidc")
    _refused(r, 502, "not the configured issuer")


async def test_an_unreachable_provider_is_reported(db_url: str, tmp_path: Path, kairos_port: int) -> None:
    settings = oidc_settings(db_url, tmp_path, kairos_port, f"http://127.0.0.1:{free_port()}")
    async with kairos_on_port(settings, kairos_port), httpx.AsyncClient(timeout=30) as client:
        r = await client.get(f"http://127.0.0.1:{kairos_port}/login/oidc")
    _refused(r, 502, "cannot be reached")


async def test_a_provider_that_goes_away_during_the_sign_in_is_reported(
    db_url: str, tmp_path: Path, kairos_port: int
) -> None:
    with running_provider(f"http://127.0.0.1:{kairos_port}/auth/callback") as provider:
        settings = oidc_settings(db_url, tmp_path, kairos_port, provider.issuer)
        async with kairos_on_port(settings, kairos_port), httpx.AsyncClient(timeout=30) as client:
            callback = await authorize(client, f"http://127.0.0.1:{kairos_port}", "alice")
            _stop(provider)
            _refused(await client.get(callback), 502, "cannot be reached")


def _stop(provider: Provider) -> None:
    provider.process.terminate()
    provider.process.wait(5)


@pytest.mark.parametrize("oidc_overrides", [{"oidc_client_secret": "not-the-secret"}])
async def test_a_wrong_client_secret_is_reported_as_unverifiable(oidc_kairos: OidcKairos) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        _refused(await sign_in(client, oidc_kairos.url, "alice"), 502, "could not be verified")
