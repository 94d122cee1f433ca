"""The users page over plain HTTP: forms with CSRF, errors next to their field, the last-admin rule."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.harness import Running
from tests.web.pages import ADMIN_EMAIL, add_user, admin_browser, csrf_of, post_form, sign_in

PASSWORD = "tall-ladder-7"


def new_user(**fields: str) -> dict[str, str]:
    return {
        "email": "grace@example.com",
        "name": "Grace Hopper",
        "role": "USER",
        "password": PASSWORD,
        "enabled": "on",
        "must_change_password": "on",
        **fields,
    }


async def user_named(kairos: Running, email: str) -> dict[str, Any]:
    return dict(next(u for u in (await kairos.client.get("/api/users")).json() if u["email"] == email))


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', html)
    assert match, f"no error next to {field_id}"
    return match.group(1)


async def test_the_list_shows_every_user_with_role_provider_state_and_last_sign_in(kairos: Running) -> None:
    await add_user(kairos, "viewer@example.com", PASSWORD)
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/users")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    table = page.text.split('id="users"')[1].split("</table>")[0]
    assert ADMIN_EMAIL in table and "viewer@example.com" in table
    assert table.index("admin@kairos.local") < table.index("viewer@example.com")
    for text in ("ADMIN", "USER", "LOCAL", "enabled", "never", "(you)"):
        assert text in table
    assert "admin-users.css" in page.text and "<script>" not in page.text


async def test_a_user_is_created_with_the_form_and_must_change_the_password_by_default(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        form = await browser.get("/admin/users/new")
        assert 'name="must_change_password" type="checkbox" checked' in form.text
        assert 'name="enabled" type="checkbox" checked' in form.text
        r = await post_form(browser, "/admin/users", new_user(), page="/admin/users/new")
        assert r.status_code == 303 and r.headers["location"] == "/admin/users?done=created"
        assert "The user was created." in (await browser.get(r.headers["location"])).text
    made = await user_named(kairos, "grace@example.com")
    assert (made["name"], made["role"], made["enabled"], made["mustChangePassword"]) == (
        "Grace Hopper",
        "USER",
        True,
        True,
    )
    async with httpx.AsyncClient(base_url=kairos.url) as grace:
        r = await sign_in(grace, "grace@example.com", PASSWORD)
        assert r.status_code == 303 and r.headers["location"] == "/account/password"


async def test_create_errors_show_next_to_their_field_and_keep_what_was_typed(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        bad_email = await post_form(
            browser, "/admin/users", new_user(email="grace at example"), page="/admin/users/new"
        )
        assert bad_email.status_code == 422
        assert "email address like" in field_error(bad_email.text, "email")
        assert 'value="Grace Hopper"' in bad_email.text and PASSWORD not in bad_email.text

        weak = await post_form(browser, "/admin/users", new_user(password="short"), page="/admin/users/new")
        assert weak.status_code == 422 and "at least 10" in field_error(weak.text, "password")

        taken = await post_form(browser, "/admin/users", new_user(email=ADMIN_EMAIL.upper()), page="/admin/users/new")
        assert taken.status_code == 409 and "already exists" in field_error(taken.text, "email")

        unticked = new_user(email="lin@example.com")
        del unticked["must_change_password"], unticked["enabled"]
        r = await post_form(browser, "/admin/users", unticked, page="/admin/users/new")
        assert r.status_code == 303
    lin = await user_named(kairos, "lin@example.com")
    assert (lin["enabled"], lin["mustChangePassword"]) == (False, False)


async def test_a_form_without_the_csrf_token_is_refused(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await browser.post("/admin/users", data=new_user())
        assert r.status_code == 403
        admin = await user_named(kairos, ADMIN_EMAIL)
        r = await browser.post(f"/admin/users/{admin['id']}/delete", data={"csrf_token": "forged"})
        assert r.status_code == 403
    assert len((await kairos.client.get("/api/users")).json()) == 1


async def test_an_admin_edits_role_name_and_state_and_resets_a_password(kairos: Running) -> None:
    await add_user(kairos, "sam@example.com", PASSWORD)
    sam = await user_named(kairos, "sam@example.com")
    edit = f"/admin/users/{sam['id']}"
    async with admin_browser(kairos) as browser:
        page = await browser.get(edit)
        assert page.status_code == 200 and 'id="password-form"' in page.text
        r = await post_form(browser, edit, {"name": "Sam", "role": "ADMIN"}, page=edit)  # "enabled" unticked
        assert r.status_code == 303 and r.headers["location"] == f"/admin/users?done=saved#user-{sam['id']}"
        sam = await user_named(kairos, "sam@example.com")
        assert (sam["name"], sam["role"], sam["enabled"]) == ("Sam", "ADMIN", False)

        differ = {"password": "new-secret-value-1", "again": "new-secret-value-2", "must_change_password": "on"}
        r = await post_form(browser, f"{edit}/password", differ, page=edit)
        assert r.status_code == 422 and "differ" in field_error(r.text, "new-password-again")
        weak = {"password": "sam@example.com", "again": "sam@example.com"}
        r = await post_form(browser, f"{edit}/password", weak, page=edit)
        assert r.status_code == 422 and "too easy" in field_error(r.text, "new-password")

        good = {"password": "new-secret-value-1", "again": "new-secret-value-1", "must_change_password": "on"}
        r = await post_form(browser, f"{edit}/password", good, page=edit)
        assert r.status_code == 303 and "password was reset" in (await browser.get(r.headers["location"])).text
        await post_form(browser, edit, {"name": "Sam", "role": "ADMIN", "enabled": "on"}, page=edit)
    assert (await user_named(kairos, "sam@example.com"))["mustChangePassword"] is True
    # A temporary password opens nothing over Basic until its owner chose a new one in the console.
    me = await kairos.anon.get("/api/users/me", auth=("sam@example.com", "new-secret-value-1"))
    assert me.status_code == 403 and me.json()["error"]["code"] == "password_change_required"


async def test_the_last_admin_rule_shows_as_a_form_error(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        admin = await user_named(kairos, ADMIN_EMAIL)
        edit = f"/admin/users/{admin['id']}"
        r = await post_form(browser, edit, {"name": "", "role": "USER", "enabled": "on"}, page=edit)
        assert r.status_code == 409
        assert 'id="form-error"' in r.text and "last enabled admin" in r.text
        assert '<option value="USER" selected>' in r.text  # what was chosen stays on the form
        r = await post_form(browser, f"{edit}/delete", {}, page=edit)
        assert r.status_code == 409
        assert 'id="delete-error"' in r.text and "last enabled admin" in r.text
    admin = await user_named(kairos, ADMIN_EMAIL)
    assert (admin["role"], admin["enabled"]) == ("ADMIN", True)


async def test_a_user_is_deleted_after_confirmation_and_signed_out(kairos: Running) -> None:
    await add_user(kairos, "temp@example.com", PASSWORD)
    temp = await user_named(kairos, "temp@example.com")
    async with httpx.AsyncClient(base_url=kairos.url) as theirs:
        await sign_in(theirs, "temp@example.com", PASSWORD)
        assert (await theirs.get("/api/users/me")).status_code == 200
        async with admin_browser(kairos) as browser:
            page = await browser.get(f"/admin/users/{temp['id']}")
            assert '<details class="confirm">' in page.text and "cannot be undone" in page.text
            r = await browser.post(f"/admin/users/{temp['id']}/delete", data={"csrf_token": csrf_of(page.text)})
            assert r.status_code == 303 and r.headers["location"] == "/admin/users?done=deleted"
            assert (await browser.get(f"/admin/users/{temp['id']}")).status_code == 404
        assert (await theirs.get("/api/users/me")).status_code == 401
    assert "temp@example.com" not in (await kairos.client.get("/api/users")).text


async def test_an_oidc_user_has_no_password_form(kairos: Running) -> None:
    from kairos.db.models import AppUser

    async with kairos.runtime.sessionmaker() as session:
        user = AppUser(email="sso@example.com", provider="OIDC", oidc_subject="sub-9", role="USER")
        session.add(user)
        await session.commit()
    async with admin_browser(kairos) as browser:
        page = await browser.get(f"/admin/users/{user.id}")
    assert 'id="no-password"' in page.text and 'id="password-form"' not in page.text


async def test_only_admins_reach_the_users_pages(kairos: Running) -> None:
    await add_user(kairos, "plain@example.com", PASSWORD)
    async with httpx.AsyncClient(base_url=kairos.url) as plain:
        await sign_in(plain, "plain@example.com", PASSWORD)
        for path in ("/admin/users", "/admin/users/new", "/admin/users/1"):
            assert (await plain.get(path)).status_code == 403
        assert (await post_form(plain, "/admin/users", new_user(), page="/admin")).status_code == 403
    anonymous = await kairos.anon.get("/admin/users")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


async def test_the_api_keys_page_names_a_keys_creator_and_marks_a_disabled_one(kairos: Running) -> None:
    await add_user(kairos, "maker@example.com", PASSWORD, role="ADMIN")
    made = await kairos.anon.post("/api/api-keys", json={"name": "deploy"}, auth=("maker@example.com", PASSWORD))
    maker = await user_named(kairos, "maker@example.com")
    await kairos.client.put(f"/api/users/{maker['id']}", json={"enabled": False})
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/api-keys")
    row = page.text.split(f'data-key-id="{made.json()["id"]}"')[1].split("</tr>")[0]
    assert "maker@example.com" in row and '<span class="badge">disabled</span>' in row and "never" in row
    tests_row = page.text.split('data-key-id="1"')[1].split("</tr>")[0]
    assert "the command line or a deleted user" in tests_row
