"""Password guessing over HTTP Basic: throttled per account and per (account, address), never at the owner's
expense. The test server trusts X-Forwarded-For from 127.0.0.1 (uvicorn's default), which stands for a
reverse proxy: the header is how these tests appear to come from other addresses (nothing leaves loopback)."""

from __future__ import annotations

import time

import httpx

from kairos.auth.throttle import MAX_FAILURES, LoginThrottle
from tests.api.support import assert_error
from tests.harness import Running
from tests.web.pages import add_user, sign_in

EMAIL, PASSWORD = "owner@example.com", "owner-password-1"


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def _me(kairos: Running, password: str, address: str) -> httpx.Response:
    return await kairos.anon.get("/api/users/me", auth=(EMAIL, password), headers=_from(address))


async def test_guesses_from_one_address_are_refused_but_the_owner_elsewhere_gets_in(kairos: Running) -> None:
    kairos.runtime.login_throttle = LoginThrottle(base_delay_s=0.0)  # the delays are the next test's business
    await add_user(kairos, EMAIL, PASSWORD)
    for i in range(MAX_FAILURES):
        assert_error(await _me(kairos, f"guess-{i}", "127.0.0.5"), 401, "unauthorized")
    refused = await _me(kairos, PASSWORD, "127.0.0.5")
    assert_error(refused, 429, "too_many_requests")
    assert refused.headers["retry-after"]
    assert (await _me(kairos, PASSWORD, "127.0.0.6")).status_code == 200


async def test_rotating_x_forwarded_for_buys_no_fast_guesses_at_one_account(kairos: Running) -> None:
    # Was: Basic failures were counted per address only and never slowed down, so a client behind a proxy
    # trusting X-Forwarded-For guessed as fast as argon2 allowed by sending a new address each time.
    kairos.runtime.login_throttle = LoginThrottle(base_delay_s=1.0, max_delay_s=1.0)
    await add_user(kairos, EMAIL, PASSWORD)
    for i in range(3):
        assert_error(await _me(kairos, f"guess-{i}", f"127.0.1.{i}"), 401, "unauthorized")
    started = time.monotonic()
    assert_error(await _me(kairos, "guess-3", "127.0.1.3"), 401, "unauthorized")
    assert time.monotonic() - started >= 1.0
    # Never refused, only slowed: the owner with the right password gets in, from a new address too.
    assert (await _me(kairos, PASSWORD, "127.0.1.4")).status_code == 200


async def test_basic_and_the_sign_in_form_share_one_count(kairos: Running) -> None:
    kairos.runtime.login_throttle = LoginThrottle(base_delay_s=0.0)
    await add_user(kairos, EMAIL, PASSWORD)
    for i in range(MAX_FAILURES):
        assert_error(await _me(kairos, f"guess-{i}", "127.0.0.7"), 401, "unauthorized")
    async with httpx.AsyncClient(base_url=kairos.url, headers=_from("127.0.0.7")) as browser:
        r = await sign_in(browser, EMAIL, PASSWORD)
        assert r.status_code == 429 and "Too many failed sign-ins" in r.text
