"""The notifications page: channels (write-only URL, test send), policies and the delivery outbox, through
the forms against a real loopback webhook receiver (tests/notify/receivers.py)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from kairos.db.models import NotificationOutbox
from tests.harness import Running, wait_for
from tests.notify.receivers import Hook, hook_server
from tests.servers.ports import free_port
from tests.web.pages import add_user, admin_browser, csrf_of, post_form, sign_in

PAGE = "/admin/notifications"


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    async with hook_server() as h:
        yield h


async def api_list(kairos: Running, what: str) -> list[dict[str, Any]]:
    r = await kairos.client.get(f"/api/notifications/{what}")
    assert r.status_code == 200, r.text
    body = r.json()
    return list(body["items"] if isinstance(body, dict) else body)


async def add_channel(browser: httpx.AsyncClient, url: str, name: str = "ops") -> httpx.Response:
    fields = {"name": name, "kind": "WEBHOOK", "url": url, "active": "on"}
    return await post_form(browser, PAGE + "/channels/new", fields)


async def test_a_webhook_channel_added_through_the_form_gets_a_test_message_and_its_url_is_never_shown(
    kairos: Running, hook: Hook
) -> None:
    secret_url = hook.url("/hook-secret-token")
    async with admin_browser(kairos) as browser:
        assert "No channels yet." in (await browser.get(PAGE)).text
        r = await add_channel(browser, secret_url)
        assert r.status_code == 303 and r.headers["location"] == PAGE + "?done=channel-created"
        (channel,) = await api_list(kairos, "channels")
        assert "The channel was added." in (await browser.get(r.headers["location"])).text
        listing = await browser.get(PAGE)
        assert "<td>ops</td>" in listing.text
        r = await browser.post(f"{PAGE}/channels/{channel['id']}/test", data={"csrf_token": csrf_of(listing.text)})
        assert r.status_code == 200 and "Test message delivered to “ops”." in r.text
        assert hook.paths == ["/hook-secret-token"] and hook.bodies[0]["test"] is True
        # Blank URL on edit keeps the stored one.
        r = await post_form(browser, f"{PAGE}/channels/{channel['id']}", {"name": "ops 2", "active": "on"})
        assert r.status_code == 303
        pages = [PAGE, f"{PAGE}/channels/{channel['id']}", PAGE + "/policies/new", r.headers["location"]]
        for path in pages:
            assert "hook-secret-token" not in (await browser.get(path)).text
        listing = await browser.get(PAGE)
        r = await browser.post(f"{PAGE}/channels/{channel['id']}/test", data={"csrf_token": csrf_of(listing.text)})
        assert "Test message delivered to “ops 2”." in r.text and len(hook.bodies) == 2
        assert "hook-secret-token" not in r.text


async def test_a_failed_test_send_shows_the_error_and_a_refused_url_is_not_echoed(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        r = await add_channel(browser, "ftp://nope.example/secret-path")
        assert r.status_code == 422 and 'id="f-webhook-url-error"' in r.text and "secret-path" not in r.text
        await add_channel(browser, f"http://127.0.0.1:{free_port()}/x")
        (channel,) = await api_list(kairos, "channels")
        listing = await browser.get(PAGE)
        r = await browser.post(f"{PAGE}/channels/{channel['id']}/test", data={"csrf_token": csrf_of(listing.text)})
        assert r.status_code == 200 and "The test message to “ops” failed:" in r.text
        r = await post_form(browser, f"{PAGE}/channels/{channel['id']}/delete", {}, page=PAGE)
        assert r.status_code == 303 and await api_list(kairos, "channels") == []


async def test_a_policy_is_created_edited_and_deleted_through_the_form(kairos: Running, hook: Hook) -> None:
    async with admin_browser(kairos) as browser:
        await add_channel(browser, hook.url())
        (channel,) = await api_list(kairos, "channels")
        form = {"name": "on-call", "channelId": str(channel["id"]), "events": ["outage_opened", "discovery_found"],
                "scope": "all", "reminderMinutes": "30", "active": "on"}  # fmt: skip
        page = await browser.get(PAGE + "/policies/new")
        r = await browser.post(PAGE + "/policies/new", data={"csrf_token": csrf_of(page.text), **form})
        assert r.status_code == 303 and r.headers["location"] == PAGE + "?done=policy-created"
        (policy,) = await api_list(kairos, "policies")
        assert policy["events"] == ["outage_opened", "discovery_found"]
        assert (policy["scope"], policy["reminderIntervalSeconds"], policy["active"]) == ("all", 1800, True)
        assert "on-call" in (await browser.get(PAGE)).text
        edit = await browser.get(f"{PAGE}/policies/{policy['id']}")
        assert 'value="outage_opened" type="checkbox" checked' in edit.text and 'value="30"' in edit.text
        # No event: refused with the message next to the field; groups without a pick likewise.
        bad = {**form, "events": []}
        r = await browser.post(f"{PAGE}/policies/{policy['id']}", data={"csrf_token": csrf_of(edit.text), **bad})
        assert r.status_code == 422 and 'id="f-events-error"' in r.text
        bad = {**form, "scope": "groups"}
        r = await browser.post(f"{PAGE}/policies/{policy['id']}", data={"csrf_token": csrf_of(edit.text), **bad})
        assert r.status_code == 422 and 'id="f-scope-error"' in r.text
        fine = {**form, "reminderMinutes": "", "events": ["outage_resolved"]}
        r = await browser.post(f"{PAGE}/policies/{policy['id']}", data={"csrf_token": csrf_of(edit.text), **fine})
        assert r.status_code == 303
        (policy,) = await api_list(kairos, "policies")
        assert (policy["events"], policy["reminderIntervalSeconds"]) == (["outage_resolved"], None)
        r = await post_form(browser, f"{PAGE}/policies/{policy['id']}/delete", {}, page=PAGE)
        assert r.status_code == 303 and await api_list(kairos, "policies") == []


async def test_a_dead_delivery_shows_its_error_and_is_delivered_after_retry(kairos: Running, hook: Hook) -> None:
    async with admin_browser(kairos) as browser:
        await add_channel(browser, hook.url())
        (channel,) = await api_list(kairos, "channels")
        event = {"event": "outage_opened", "resource": {"id": 1, "name": "api"}, "message": "down"}
        async with kairos.runtime.sessionmaker() as session:
            row = NotificationOutbox(channel_id=channel["id"], event="outage_opened", payload=event, status="dead",
                                     attempts=1, last_error="connection refused by the receiver")  # fmt: skip
            session.add(row)
            await session.commit()
            delivery_id = row.id
        dead = await browser.get(PAGE + "?status=dead")
        assert "connection refused by the receiver" in dead.text
        assert f'action="{PAGE}/deliveries/{delivery_id}/retry"' in dead.text
        assert "No deliveries with status sent." in (await browser.get(PAGE + "?status=sent")).text
        r = await browser.post(f"{PAGE}/deliveries/{delivery_id}/retry", data={"csrf_token": csrf_of(dead.text)})
        assert r.status_code == 303
        await wait_for(lambda: len(hook.events) == 1, timeout=20)
        assert hook.events[0]["resource"]["name"] == "api"
        sent = await browser.get(PAGE + "?status=sent")
        assert re.search(rf'data-delivery-id="{delivery_id}"', sent.text) or "sending" in sent.text
        again = await browser.post(f"{PAGE}/deliveries/{delivery_id}/retry", data={"csrf_token": csrf_of(dead.text)})
        assert again.status_code == 409


async def test_users_get_403_and_forms_without_csrf_get_403(kairos: Running) -> None:
    await add_user(kairos, "user@example.com", "user-password")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "user@example.com", "user-password")
        assert (await browser.get(PAGE)).status_code == 403
        assert (await browser.get(PAGE + "/channels/new")).status_code == 403
    async with admin_browser(kairos) as browser:
        assert 'href="/admin/notifications"' in (await browser.get("/admin")).text
        r = await browser.post(PAGE + "/channels/new", data={"name": "x", "kind": "WEBHOOK", "url": "http://a.b/"})
        assert r.status_code == 403
        r = await browser.post(PAGE + "/deliveries/1/retry", data={})
        assert r.status_code == 403
        assert await api_list(kairos, "channels") == []
