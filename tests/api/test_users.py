"""``/api/users``: accounts, roles, the last-admin rule, and what taking access away does at once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from kairos.db.models import AppUser
from tests.api.support import assert_error
from tests.harness import Running
from tests.web.pages import ADMIN_EMAIL, add_user, csrf_of, sign_in

PASSWORD = "tall-ladder-7"
FIELDS = {"id", "email", "name", "role", "provider", "enabled", "mustChangePassword", "createdAt", "lastLoginAt"}


async def create(kairos: Running, email: str, role: str = "USER", **fields: Any) -> dict[str, Any]:
    body = {"email": email, "role": role, "password": PASSWORD, **fields}
    r = await kairos.client.post("/api/users", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def basic(email: str, password: str = PASSWORD) -> httpx.BasicAuth:
    return httpx.BasicAuth(email, password)


async def admin_id(kairos: Running) -> int:
    listed = (await kairos.client.get("/api/users")).json()
    return int(next(u["id"] for u in listed if u["email"] == ADMIN_EMAIL))


async def test_an_admin_creates_reads_lists_changes_and_deletes_a_user(kairos: Running) -> None:
    made = await create(kairos, "Ada@Example.COM", name="Ada Lovelace")
    assert set(made) == FIELDS
    assert made["email"] == "ada@example.com" and made["name"] == "Ada Lovelace"
    assert (made["role"], made["provider"], made["enabled"], made["mustChangePassword"]) == (
        "USER",
        "LOCAL",
        True,
        True,
    )
    assert made["lastLoginAt"] is None

    assert (await kairos.client.get(f"/api/users/{made['id']}")).json() == made
    listed = (await kairos.client.get("/api/users")).json()
    assert [u["email"] for u in listed] == ["ada@example.com", ADMIN_EMAIL]
    assert all(set(u) == FIELDS for u in listed)  # never a hash

    changed = await kairos.client.put(f"/api/users/{made['id']}", json={"name": None, "role": "ADMIN"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] is None and changed.json()["role"] == "ADMIN"
    assert changed.json()["email"] == "ada@example.com"  # left out, kept

    assert (await kairos.client.delete(f"/api/users/{made['id']}")).status_code == 204
    assert_error(await kairos.client.get(f"/api/users/{made['id']}"), 404, "not_found")
    assert_error(await kairos.client.delete(f"/api/users/{made['id']}"), 404, "not_found")


async def test_a_created_user_signs_in_with_basic_credentials(kairos: Running) -> None:
    await create(kairos, "reader@example.com", mustChangePassword=False)
    me = await kairos.anon.get("/api/users/me", auth=basic("READER@example.com"))
    assert me.status_code == 200 and me.json()["email"] == "reader@example.com" and me.json()["role"] == "USER"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "role": "USER", "password": PASSWORD}, "email"),
        ({"email": "a b@example.com", "role": "USER", "password": PASSWORD}, "email"),
        ({"email": "a@localhost", "role": "USER", "password": PASSWORD}, "email"),
        ({"email": "a@example.com", "role": "ROOT", "password": PASSWORD}, "role"),
        ({"email": "a@example.com", "role": "USER"}, "password"),
        ({"email": "a@example.com", "role": "USER", "password": PASSWORD, "provider": "OIDC"}, "provider"),
        ({"email": "a@example.com", "role": "USER", "password": PASSWORD, "name": "  "}, "name"),
    ],
)
async def test_a_bad_new_user_is_refused_with_the_field_named(
    kairos: Running, body: dict[str, Any], field: str
) -> None:
    assert_error(await kairos.client.post("/api/users", json=body), 422, "validation_error", field)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-1", "at least 10"),
        ("password123", "too easy"),
        ("weak@example.com", "too easy"),
        ("aaaaaaaaaaaa", "different"),
    ],
)
async def test_a_weak_password_is_refused_with_the_policys_sentence(
    kairos: Running, password: str, reason: str
) -> None:
    body = {"email": "weak@example.com", "role": "USER", "password": password}
    error = assert_error(await kairos.client.post("/api/users", json=body), 422, "validation_error", "password")
    assert reason in error["message"] and password not in error["message"]


async def test_an_email_in_use_is_a_409_naming_email_regardless_of_case(kairos: Running) -> None:
    await create(kairos, "twin@example.com")
    body = {"email": "TWIN@Example.com", "role": "ADMIN", "password": PASSWORD}
    assert_error(await kairos.client.post("/api/users", json=body), 409, "conflict", "email")


async def test_the_last_admin_can_be_neither_deleted_disabled_nor_demoted(kairos: Running) -> None:
    only = await admin_id(kairos)
    for attempt in (
        kairos.client.delete(f"/api/users/{only}"),
        kairos.client.put(f"/api/users/{only}", json={"enabled": False}),
        kairos.client.put(f"/api/users/{only}", json={"role": "USER"}),
    ):
        error = assert_error(await attempt, 409, "last_admin")
        assert "last enabled admin" in error["message"]
    still = (await kairos.client.get(f"/api/users/{only}")).json()
    assert (still["role"], still["enabled"]) == ("ADMIN", True)

    # A disabled admin does not count: with another enabled admin, the first may go.
    other = await create(kairos, "second@example.com", "ADMIN", enabled=False)
    assert_error(await kairos.client.put(f"/api/users/{only}", json={"role": "USER"}), 409, "last_admin")
    assert (await kairos.client.put(f"/api/users/{other['id']}", json={"enabled": True})).status_code == 200
    assert (await kairos.client.put(f"/api/users/{only}", json={"role": "USER"})).status_code == 200
    assert_error(await kairos.client.delete(f"/api/users/{other['id']}"), 409, "last_admin")


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(kairos: Running) -> None:
    first, second = await admin_id(kairos), (await create(kairos, "second@example.com", "ADMIN"))["id"]
    answers = await asyncio.gather(
        kairos.client.put(f"/api/users/{first}", json={"role": "USER"}),
        kairos.client.put(f"/api/users/{second}", json={"role": "USER"}),
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    roles = [u["role"] for u in (await kairos.client.get("/api/users")).json()]
    assert roles.count("ADMIN") == 1


async def test_a_user_role_caller_gets_403_on_every_admin_route(kairos: Running) -> None:
    made = await create(kairos, "user@example.com", mustChangePassword=False)
    auth = basic("user@example.com")
    for method, path, body in (
        ("GET", "/api/users", None),
        ("POST", "/api/users", {"email": "x@example.com", "role": "ADMIN", "password": PASSWORD}),
        ("GET", f"/api/users/{made['id']}", None),
        ("PUT", f"/api/users/{made['id']}", {"role": "ADMIN"}),
        ("DELETE", f"/api/users/{made['id']}", None),
    ):
        answer = await kairos.anon.request(method, path, json=body, auth=auth)
        assert_error(answer, 403, "forbidden")
        assert_error(await kairos.anon.request(method, path, json=body), 401, "unauthorized")
    assert (await kairos.anon.get("/api/users/me", auth=auth)).status_code == 200


async def test_an_api_key_is_not_a_user_on_the_me_routes(kairos: Running) -> None:
    assert_error(await kairos.client.get("/api/users/me"), 403, "not_a_user")
    body = {"currentPassword": PASSWORD, "newPassword": "another-pass-8"}
    assert_error(await kairos.client.put("/api/users/me/password", json=body), 403, "not_a_user")


async def test_disabling_a_user_ends_its_sessions_and_refuses_its_sign_ins(kairos: Running) -> None:
    made = await create(kairos, "leaver@example.com", mustChangePassword=False)
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        assert (await sign_in(browser, "leaver@example.com", PASSWORD)).status_code == 303
        assert (await browser.get("/api/users/me")).json()["email"] == "leaver@example.com"
        assert (await kairos.client.put(f"/api/users/{made['id']}", json={"enabled": False})).status_code == 200
        assert_error(await browser.get("/api/users/me"), 401, "unauthorized")
        assert (await sign_in(browser, "leaver@example.com", PASSWORD)).status_code == 401
    assert_error(await kairos.anon.get("/api/users/me", auth=basic("leaver@example.com")), 401, "unauthorized")
    await kairos.client.put(f"/api/users/{made['id']}", json={"enabled": True})
    assert (await kairos.anon.get("/api/users/me", auth=basic("leaver@example.com"))).status_code == 200


async def test_a_password_reset_ends_the_users_sessions_and_asks_for_a_new_password(kairos: Running) -> None:
    made = await create(kairos, "forgetful@example.com", mustChangePassword=False)
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "forgetful@example.com", PASSWORD)
        reset = await kairos.client.put(f"/api/users/{made['id']}", json={"password": "temporary-pass-3"})
        assert reset.status_code == 200 and reset.json()["mustChangePassword"] is True
        assert_error(await browser.get("/api/users/me"), 401, "unauthorized")
    assert_error(await kairos.anon.get("/api/users/me", auth=basic("forgetful@example.com")), 401, "unauthorized")
    # The temporary password opens nothing over Basic (it used to): the user chooses a new one in the console.
    me = await kairos.anon.get("/api/users/me", auth=basic("forgetful@example.com", "temporary-pass-3"))
    assert_error(me, 403, "password_change_required")
    weak = await kairos.client.put(f"/api/users/{made['id']}", json={"password": "short"})
    assert_error(weak, 422, "validation_error", "password")


async def test_changing_your_password_ends_your_other_sessions_but_keeps_this_one(kairos: Running) -> None:
    await create(kairos, "mover@example.com", mustChangePassword=False)
    async with (
        httpx.AsyncClient(base_url=kairos.url) as here,
        httpx.AsyncClient(base_url=kairos.url) as elsewhere,
    ):
        for browser in (here, elsewhere):
            assert (await sign_in(browser, "mover@example.com", PASSWORD)).status_code == 303
        csrf = await _csrf(here)
        body = {"currentPassword": PASSWORD, "newPassword": "fresh-garden-4"}
        r = await here.put("/api/users/me/password", json=body, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 204, r.text
        assert (await here.get("/api/users/me")).status_code == 200
        assert_error(await elsewhere.get("/api/users/me"), 401, "unauthorized")
    assert (
        await kairos.anon.get("/api/users/me", auth=basic("mover@example.com", "fresh-garden-4"))
    ).status_code == 200


async def test_your_own_password_change_checks_the_current_one_and_the_rules(kairos: Running) -> None:
    await create(kairos, "careful@example.com", mustChangePassword=False)
    auth = basic("careful@example.com")
    wrong = {"currentPassword": "not-it-at-all", "newPassword": "fresh-garden-4"}
    assert_error(
        await kairos.anon.put("/api/users/me/password", json=wrong, auth=auth),
        422,
        "validation_error",
        "currentPassword",
    )
    same = {"currentPassword": PASSWORD, "newPassword": PASSWORD}
    assert_error(
        await kairos.anon.put("/api/users/me/password", json=same, auth=auth), 422, "validation_error", "newPassword"
    )
    ok = {"currentPassword": PASSWORD, "newPassword": "fresh-garden-4"}
    assert (await kairos.anon.put("/api/users/me/password", json=ok, auth=auth)).status_code == 204


async def test_an_oidc_user_has_no_password_to_set_or_reset(kairos: Running) -> None:
    async with kairos.runtime.sessionmaker() as session:
        user = AppUser(email="sso@example.com", provider="OIDC", oidc_subject="sub-1", role="USER")
        session.add(user)
        await session.commit()
        user_id = user.id
    shown = (await kairos.client.get(f"/api/users/{user_id}")).json()
    assert shown["provider"] == "OIDC"
    reset = await kairos.client.put(f"/api/users/{user_id}", json={"password": "temporary-pass-3"})
    error = assert_error(reset, 409, "no_local_password", "password")
    assert "identity provider" in error["message"]
    # Everything else about the account is an admin's to change.
    assert (await kairos.client.put(f"/api/users/{user_id}", json={"role": "ADMIN"})).json()["role"] == "ADMIN"


async def test_the_api_keys_list_names_the_creators_email_and_the_last_use(kairos: Running) -> None:
    await add_user(kairos, "keymaker@example.com", PASSWORD, role="ADMIN")
    made = await kairos.anon.post(
        "/api/api-keys", json={"name": "ci", "role": "READ"}, auth=basic("keymaker@example.com")
    )
    assert made.status_code == 201, made.text
    assert (await kairos.anon.get("/api/outages", headers={"X-API-Key": made.json()["key"]})).status_code == 200
    keys = {k["name"]: k for k in (await kairos.client.get("/api/api-keys")).json()}
    assert keys["ci"]["createdByEmail"] == "keymaker@example.com" and keys["ci"]["createdBy"] is not None
    assert keys["ci"]["lastUsedAt"] is not None
    assert keys["tests"]["createdByEmail"] is None and keys["tests"]["createdBy"] is None  # made without a user

    # The key outlives its creator (documented: keys are credentials of their own).
    creator = keys["ci"]["createdBy"]
    assert (await kairos.client.delete(f"/api/users/{creator}")).status_code == 204
    keys = {k["name"]: k for k in (await kairos.client.get("/api/api-keys")).json()}
    assert keys["ci"]["createdBy"] is None and keys["ci"]["createdByEmail"] is None
    assert (await kairos.anon.get("/api/outages", headers={"X-API-Key": made.json()["key"]})).status_code == 200


async def _csrf(browser: httpx.AsyncClient) -> str:
    """The session's CSRF token, as the console's pages hand it to their scripts."""
    return csrf_of((await browser.get("/account/password")).text)
