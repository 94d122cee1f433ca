"""``KAIROS_ACCESS_MODE=private`` and refusing addresses that keep sending wrong credentials."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.api.support import assert_error
from tests.harness import Running, make_settings, running_kairos
from tests.web.pages import admin_browser


@pytest.fixture
async def private(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async with running_kairos(make_settings(db_url, tmp_path, access_mode="private")) as running:
        yield running


async def test_a_private_kairos_answers_anonymous_readers_401_and_sends_browsers_to_sign_in(private: Running) -> None:
    for path in ("/api/resources", "/api/groups", "/api/announcements", "/api/resources/status-updates"):
        assert_error(await private.anon.get(path), 401, "unauthorized")
    for path in ("/", "/outages", "/announcements", "/resources/1"):
        r = await private.anon.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    assert (await private.anon.get("/login")).status_code == 200
    assert (await private.anon.get("/actuator/health")).status_code == 200
    assert (await private.client.get("/api/resources")).status_code == 200
    async with admin_browser(private) as browser:
        assert (await browser.get("/")).status_code == 200


async def test_wrong_keys_cost_their_sender_but_a_good_key_from_the_same_address_still_works(kairos: Running) -> None:
    # Was: ten wrong keys made every valid key from that address 429 (a scraper behind the same proxy lost its
    # metrics). A valid key is now always accepted; only more wrong keys are refused.
    async with httpx.AsyncClient(base_url=kairos.url) as client:
        for i in range(10):
            r = await client.get("/api/resources", headers={"Authorization": f"Bearer kai_wrong{i}"})
            assert r.status_code == 401
        r = await client.get("/api/resources", headers={"Authorization": f"Bearer {kairos.admin_key}"})
        assert r.status_code == 200, r.text
        r = await client.get("/api/resources", headers={"Authorization": "Bearer kai_wrong-again"})
        assert_error(r, 429, "too_many_requests")
        assert r.headers["retry-after"]
    assert (await kairos.anon.get("/api/resources")).status_code == 200  # no credentials: nothing to refuse


async def test_with_password_sign_in_turned_off_basic_credentials_are_refused_too(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        db_url,
        tmp_path,
        oidc_enabled=True,
        oidc_issuer_uri="http://127.0.0.1:9",
        oidc_client_id="kairos",
        local_login_enabled=False,
    )
    async with running_kairos(settings) as running:
        r = await running.anon.get("/api/resources", auth=("admin@kairos.local", "admin"))
        assert_error(r, 401, "unauthorized")
        assert "password sign-in is turned off" in r.json()["error"]["message"]
        assert (await running.client.get("/api/resources")).status_code == 200
