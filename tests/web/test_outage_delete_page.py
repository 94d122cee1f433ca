"""Deleting an outage in the console: a Delete button for admins beside each closed outage, a confirmation page
(no JavaScript needed), a CSRF-checked POST, an audit line; ongoing outages cannot be deleted."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.harness import Running
from tests.web.pages import add_user, admin_browser, csrf_of, sign_in
from tests.web.resource_seed import add_outage, add_resource
from tests.web.test_outages_page import past

START = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)


async def _closed(kairos: Running, name: str) -> tuple[int, int]:
    rid = await add_resource(kairos, name)
    await add_outage(kairos, rid, START, START + timedelta(minutes=20))
    [outage] = (await kairos.client.get("/api/outages", params={"resourceId": rid})).json()
    return rid, int(outage["id"])


async def test_an_admin_confirms_and_deletes_a_closed_outage(kairos: Running, caplog: pytest.LogCaptureFixture) -> None:
    rid, oid = await _closed(kairos, "Checkout")
    async with admin_browser(kairos) as browser:
        listing = (await browser.get("/outages")).text
        assert f'href="/admin/outages/{oid}/delete"' in listing
        confirm = await browser.get(f"/admin/outages/{oid}/delete")
        assert confirm.status_code == 200
        assert "Delete this outage of Checkout?" in confirm.text
        assert "2026-01-10 08:00:00 UTC" in confirm.text and "2026-01-10 08:20:00 UTC" in confirm.text
        assert f'action="/admin/outages/{oid}/delete"' in confirm.text
        with caplog.at_level(logging.INFO, logger="kairos.audit"):
            r = await browser.post(f"/admin/outages/{oid}/delete", data={"csrf_token": csrf_of(confirm.text)})
        assert r.status_code == 303 and r.headers["location"] == "/outages?deleted=1#past"
        after = (await browser.get(r.headers["location"])).text
        assert 'id="outage-deleted"' in after and oid not in [o for o, _, _ in past(after)]
    [line] = [r.getMessage() for r in caplog.records if r.name == "kairos.audit"]
    assert f"outage {oid} of resource {rid} 'Checkout'" in line and "<admin@kairos.local>" in line
    assert (await kairos.client.get("/api/outages", params={"resourceId": rid})).json() == []


async def test_from_the_resource_page_it_returns_to_that_resources_outages(kairos: Running) -> None:
    rid, oid = await _closed(kairos, "Search")
    async with admin_browser(kairos) as browser:
        page = (await browser.get(f"/resources/{rid}")).text
        assert f'href="/admin/outages/{oid}/delete?back=resource"' in page
        confirm = (await browser.get(f"/admin/outages/{oid}/delete?back=resource")).text
        assert 'name="back" value="resource"' in confirm and f'href="/resources/{rid}#outages"' in confirm
        form = {"csrf_token": csrf_of(confirm), "back": "resource"}
        r = await browser.post(f"/admin/outages/{oid}/delete", data=form)
        assert r.headers["location"] == f"/outages?resource={rid}&deleted=1#past"


async def test_an_ongoing_outage_has_no_delete_and_is_refused(kairos: Running) -> None:
    rid = await add_resource(kairos, "Queue")
    await add_outage(kairos, rid, datetime.now(UTC) - timedelta(minutes=5), None)
    [outage] = (await kairos.client.get("/api/outages", params={"resourceId": rid})).json()
    async with admin_browser(kairos) as browser:
        listing = (await browser.get("/outages")).text
        assert "/delete" not in listing[listing.index('id="active"') : listing.index('id="past"')]
        assert 'id="active-note"' in listing
        confirm = await browser.get(f"/admin/outages/{outage['id']}/delete")
        assert confirm.status_code == 409 and "ends when the resource recovers" in confirm.text
        token = csrf_of((await browser.get("/admin/settings")).text)
        r = await browser.post(f"/admin/outages/{outage['id']}/delete", data={"csrf_token": token})
        assert r.status_code == 409
    assert len((await kairos.client.get("/api/outages", params={"active": "true"})).json()) == 1


async def test_others_cannot_delete_and_a_forged_form_is_refused(kairos: Running) -> None:
    _, oid = await _closed(kairos, "Portal")
    listing = (await kairos.anon.get("/outages")).text
    assert "/delete" not in listing
    r = await kairos.anon.get(f"/admin/outages/{oid}/delete")
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")
    await add_user(kairos, "user@example.com", "user-password")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "user@example.com", "user-password")
        assert "/delete" not in (await browser.get("/outages")).text
        assert (await browser.get(f"/admin/outages/{oid}/delete")).status_code == 403
    async with admin_browser(kairos) as browser:
        r = await browser.post(f"/admin/outages/{oid}/delete", data={"csrf_token": "forged"})
        assert r.status_code == 403
        assert (await browser.get("/admin/outages/424242/delete")).status_code == 404
        assert (await browser.get("/admin/outages/abc/delete")).status_code == 404
    assert len((await kairos.client.get("/api/outages")).json()) == 1
