"""The announcements page and the console's editor, over plain HTTP: forms with CSRF, errors beside fields."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.harness import Running
from tests.web.pages import add_user, admin_browser, csrf_of, post_form, sign_in

NEW = "/admin/announcements/new"


def _form(**fields: str) -> dict[str, str]:
    return {"kind": "INFORMATION", "content": "Planned maintenance", "active": "on", **fields}


async def _api_create(kairos: Running, **fields: Any) -> dict[str, Any]:
    r = await kairos.client.post("/api/announcements", json={"content": "x", **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _error_beside(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', html)
    assert match, f"no error beside {field}"
    return match.group(1)


async def test_an_admin_creates_an_announcement_through_the_form_and_the_public_page_shows_it(
    kairos: Running,
) -> None:
    async with admin_browser(kairos) as browser:
        form = _form(kind="warning", content="**Database upgrade** tonight", active_until="2099-01-01T18:30:00.000Z")
        r = await post_form(browser, NEW, form)
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/announcements?saved=")
        listing = await browser.get(r.headers["location"])
        assert "The announcement was saved." in listing.text and "Database upgrade" in listing.text
    (stored,) = (await kairos.client.get("/api/announcements")).json()  # createdBy: for admins only
    assert stored["kind"] == "WARNING" and stored["createdBy"] == "admin@kairos.local"
    assert stored["activeUntil"] == "2099-01-01T18:30:00Z"
    page = await kairos.anon.get("/announcements")
    assert page.status_code == 200
    assert 'class="alert alert-warning announcement"' in page.text
    assert "<strong>Database upgrade</strong> tonight" in page.text
    assert "2099-01-01 18:30:00 UTC" in page.text


async def test_a_form_without_the_csrf_token_is_refused(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await browser.post(NEW, data={**_form(), "csrf_token": "forged"})
        assert r.status_code == 403
    assert (await kairos.anon.get("/api/announcements")).json() == []


async def test_errors_are_shown_beside_their_fields_and_the_input_is_kept(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, NEW, _form(kind="URGENT", content="   "))
        assert r.status_code == 422
        assert "INFORMATION" in _error_beside(r.text, "kind")
        assert "This is required." in _error_beside(r.text, "content")
        r = await post_form(browser, NEW, _form(content="Keep me", active_until="not a time"))
        assert r.status_code == 422 and _error_beside(r.text, "activeUntil")
        assert ">Keep me</textarea>" in r.text and 'aria-invalid="true"' in r.text
        r = await post_form(browser, NEW, _form(content="x" * 20_001))
        assert "Use at most 20,000 characters." in _error_beside(r.text, "content")
    assert (await kairos.anon.get("/api/announcements")).json() == []


async def test_a_bare_until_time_is_read_as_utc_when_the_page_script_did_not_run(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, NEW, _form(active_until_local="2099-03-04T05:06", active_until=""))
        assert r.status_code == 303
        # The script's UTC value wins over the visible field (which holds the browser's local time).
        form = _form(active_until_local="2099-03-04T07:06", active_until="2099-03-04T05:06:00.000Z")
        assert (await post_form(browser, NEW, form)).status_code == 303
    until = {a["activeUntil"] for a in (await kairos.anon.get("/api/announcements")).json()}
    assert until == {"2099-03-04T05:06:00Z"}


async def test_editing_shows_the_stored_values_and_saves_changes(kairos: Running) -> None:
    created = await _api_create(kairos, kind="PROBLEM", content="Old text", activeUntil="2099-06-01T12:00:00Z")
    url = f"/admin/announcements/{created['id']}/edit"
    async with admin_browser(kairos) as browser:
        page = await browser.get(url)
        assert page.status_code == 200
        assert '<option value="PROBLEM" selected>' in page.text and ">Old text</textarea>" in page.text
        assert 'value="2099-06-01T12:00"' in page.text and 'data-utc="2099-06-01T12:00:00Z"' in page.text
        r = await post_form(browser, url, _form(kind="INFORMATION", content="New text"))
        assert r.status_code == 303
        assert (await browser.get("/admin/announcements/999/edit")).status_code == 404
        assert (await browser.get("/admin/announcements/abc/edit")).status_code == 404
    stored = (await kairos.client.get(f"/api/announcements/{created['id']}")).json()
    assert stored["content"] == "New text" and stored["kind"] == "INFORMATION"
    assert stored["activeUntil"] is None and stored["createdBy"] == created["createdBy"]


async def test_delete_asks_for_confirmation_then_deletes_with_a_post(kairos: Running) -> None:
    created = await _api_create(kairos, content="Going away")
    async with admin_browser(kairos) as browser:
        confirm = await browser.get(f"/admin/announcements/{created['id']}/delete")
        assert "Delete this announcement?" in confirm.text and "Going away" in confirm.text
        assert (await kairos.anon.get(f"/api/announcements/{created['id']}")).status_code == 200
        r = await browser.post(
            f"/admin/announcements/{created['id']}/delete", data={"csrf_token": csrf_of(confirm.text)}
        )
        assert r.status_code == 303 and r.headers["location"] == "/admin/announcements?deleted=1"
    assert (await kairos.anon.get(f"/api/announcements/{created['id']}")).status_code == 404


async def test_a_user_without_the_admin_role_sees_the_list_but_cannot_change_anything(kairos: Running) -> None:
    created = await _api_create(kairos, content="Read only for users")
    await add_user(kairos, "viewer@example.com", "a-long-password")
    async with httpx.AsyncClient(base_url=kairos.url, timeout=30) as browser:
        await sign_in(browser, "viewer@example.com", "a-long-password")
        listing = await browser.get("/admin/announcements")
        assert listing.status_code == 200 and "Read only for users" in listing.text
        assert "/edit" not in listing.text and NEW not in listing.text
        assert (await browser.get(NEW)).status_code == 403
        r = await browser.post(NEW, data={**_form(), "csrf_token": csrf_of(listing.text)})
        assert r.status_code == 403
        r = await browser.post(
            f"/admin/announcements/{created['id']}/delete", data={"csrf_token": csrf_of(listing.text)}
        )
        assert r.status_code == 403
    assert len((await kairos.anon.get("/api/announcements")).json()) == 1


async def test_anonymous_visitors_are_sent_to_sign_in_for_the_console(kairos: Running) -> None:
    r = await kairos.anon.get("/admin/announcements")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_the_public_page_lists_current_ones_first_then_past_ones_in_pages_of_20(kairos: Running) -> None:
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    expired = await _api_create(kairos, content="expired one", activeUntil=past)
    for n in range(20):
        await _api_create(kairos, content=f"old news {n}", active=False)
    current = await _api_create(kairos, content="current one", kind="PROBLEM")
    first = (await kairos.anon.get("/announcements")).text
    assert first.index(f'id="announcement-{current["id"]}"') < first.index('id="past-heading"')
    assert 'id="current-heading"' in first and "Page 1 of 2" in first and 'href="?page=2"' in first
    assert f'id="announcement-{expired["id"]}"' not in first  # the oldest past one is on page 2
    second = (await kairos.anon.get("/announcements?page=2")).text
    assert f'id="announcement-{expired["id"]}"' in second and 'id="current-heading"' not in second
    assert (await kairos.anon.get("/announcements?page=abc")).status_code == 200


async def test_the_public_page_never_contains_an_authors_script(kairos: Running) -> None:
    await _api_create(kairos, content='<script>window.pwned=1</script><img src=x onerror="window.pwned=2">')
    page = (await kairos.anon.get("/announcements")).text
    assert "window.pwned" not in page and "onerror" not in page


async def test_an_empty_public_page_says_so(kairos: Running) -> None:
    assert 'id="no-announcements"' in (await kairos.anon.get("/announcements")).text
