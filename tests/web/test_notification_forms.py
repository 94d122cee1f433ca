"""The channel builder and the policy form through the console's HTTP forms, against a real Kairos and a real
loopback HTTP receiver: built channels deliver ("Send test"), secrets never come back in a page, a blank secret
keeps the stored one, and the policy form speaks in labels and checkboxes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.harness import Running
from tests.notify.receivers import Hook, hook_server
from tests.web.pages import admin_browser, csrf_of, post_form

PAGE = "/admin/notifications"
NEW = PAGE + "/channels/new"
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
GOTIFY_TOKEN = "GotifyAppToken42"


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    async with hook_server() as h:
        yield h


async def channels(kairos: Running) -> list[dict[str, Any]]:
    return list((await kairos.client.get("/api/notifications/channels")).json())


async def send_test(browser: httpx.AsyncClient, channel_id: int) -> str:
    listing = await browser.get(PAGE)
    r = await browser.post(f"{PAGE}/channels/{channel_id}/test", data={"csrf_token": csrf_of(listing.text)})
    assert r.status_code == 200
    return r.text


def errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="field-error" id="f-([^"]+)-error">([^<]*)</p>', html))


async def test_a_gotify_channel_built_from_fields_delivers_and_keeps_its_token_when_edited(
    kairos: Running, hook: Hook
) -> None:
    server = f"http://127.0.0.1:{hook.port}"
    async with admin_browser(kairos) as browser:
        form = {"name": "phones", "service": "gotify", "gotify-server": server, "gotify-token": GOTIFY_TOKEN,
                "gotify-priority": "high", "active": "on"}  # fmt: skip
        r = await post_form(browser, NEW, form)
        assert r.status_code == 303, errors(r.text)
        (channel,) = await channels(kairos)
        assert (channel["kind"], channel["urlHint"]) == ("APPRISE", "gotify://…")
        listing = (await browser.get(PAGE)).text
        assert "<td>Gotify</td>" in listing and GOTIFY_TOKEN not in listing
        assert "Test message delivered to “phones”." in await send_test(browser, channel["id"])
        assert hook.paths[0].startswith("/message")
        # The edit form shows the server and priority, never the token; blank keeps it.
        edit = (await browser.get(f"{PAGE}/channels/{channel['id']}")).text
        assert f'value="{server}"' in edit and GOTIFY_TOKEN not in edit and "Leave empty to keep it." in edit
        assert re.search(r'<option value="gotify" selected>', edit)
        # The stored token never follows the channel to another server without being typed again.
        moved = {**form, "gotify-token": "", "gotify-server": "http://127.0.0.1:9"}
        r = await post_form(browser, f"{PAGE}/channels/{channel['id']}", moved)
        assert r.status_code == 422
        assert errors(r.text) == {"gotify-token": "Enter the application token again: the server changed."}
        changed = {**form, "name": "phones 2", "gotify-token": "", "gotify-priority": "low"}
        r = await post_form(browser, f"{PAGE}/channels/{channel['id']}", changed)
        assert r.status_code == 303, errors(r.text)
        assert "Test message delivered to “phones 2”." in await send_test(browser, channel["id"])
        assert len(hook.bodies) == 2 and [b["priority"] for b in hook.bodies] == [8, 0]  # "high", then "low"


async def test_a_telegram_channel_is_listed_by_service_and_its_token_never_shown(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        form = {"name": "tg", "service": "telegram", "telegram-bot_token": TOKEN, "telegram-chat_id": "-100123",
                "active": "on"}  # fmt: skip
        assert (await post_form(browser, NEW, form)).status_code == 303
        (channel,) = await channels(kairos)
        for path in (PAGE, f"{PAGE}/channels/{channel['id']}", PAGE + "/policies/new"):
            assert TOKEN.split(":")[1] not in (await browser.get(path)).text
        edit = (await browser.get(f"{PAGE}/channels/{channel['id']}")).text
        assert 'value="-100123"' in edit
        # Another service on edit needs its own secrets: nothing is carried over from Telegram.
        other = {"name": "tg", "service": "pushover", "pushover-user_key": "", "pushover-token": "", "active": "on"}
        r = await post_form(browser, f"{PAGE}/channels/{channel['id']}", other)
        assert r.status_code == 422
        assert set(errors(r.text)) == {"pushover-user_key", "pushover-token"}


async def test_bad_fields_are_marked_precisely_and_a_typed_secret_is_not_echoed(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        form = {"name": "mail", "service": "email", "email-host": "smtp.example.com", "email-mode": "starttls",
                "email-user": "", "email-password": "hunter2-secret", "email-sender": "kairos",
                "email-to": "ops@example.com, nobody"}  # fmt: skip
        r = await post_form(browser, NEW, form)
        assert r.status_code == 422 and "hunter2-secret" not in r.text
        assert errors(r.text) == {
            "email-sender": "Enter an email address, like kairos@example.com.",
        }
        fixed = {**form, "email-sender": "kairos@example.com"}
        r = await post_form(browser, NEW, fixed)
        assert errors(r.text) == {"email-to": "Entry 2 is not an email address."}
        r = await post_form(browser, NEW, {**fixed, "email-to": "ops@example.com"})
        assert errors(r.text) == {"email-user": "A password needs a user name."}
        # The values typed are kept (but not the password) and the chosen service stays selected.
        assert 'value="ops@example.com"' in r.text and '<option value="email" selected>' in r.text
        r = await post_form(browser, NEW, {"name": "x", "service": "nope"})
        assert r.status_code == 422 and errors(r.text) == {"service": "Choose one of the listed services."}
        assert await channels(kairos) == []


async def test_a_url_the_fields_cannot_express_opens_as_the_raw_apprise_url(kairos: Running, hook: Hook) -> None:
    url = f"json://127.0.0.1:{hook.port}/raw-path"
    r = await kairos.client.post("/api/notifications/channels", json={"name": "raw", "kind": "APPRISE", "url": url})
    channel_id = r.json()["id"]
    async with admin_browser(kairos) as browser:
        edit = (await browser.get(f"{PAGE}/channels/{channel_id}")).text
        assert '<option value="apprise" selected>' in edit and "raw-path" not in edit
        assert '<option value="webhook"' not in edit  # an Apprise channel cannot become a webhook
        keep = {"name": "raw 2", "service": "apprise", "apprise-url": "", "active": "on"}
        r = await post_form(browser, f"{PAGE}/channels/{channel_id}", keep)
        assert r.status_code == 303
        assert "Test message delivered to “raw 2”." in await send_test(browser, channel_id)
        assert hook.paths == ["/raw-path"]


async def test_a_webhook_channel_offers_only_the_webhook_and_the_builder_posts_the_kairos_payload(
    kairos: Running, hook: Hook
) -> None:
    async with admin_browser(kairos) as browser:
        form = {"name": "hook", "service": "webhook", "webhook-url": hook.url("/built"), "active": "on"}
        assert (await post_form(browser, NEW, form)).status_code == 303
        (channel,) = await channels(kairos)
        assert channel["kind"] == "WEBHOOK"
        edit = (await browser.get(f"{PAGE}/channels/{channel['id']}")).text
        select = edit.split('id="f-service"', 1)[1].split("</select>", 1)[0]
        assert re.findall(r'<option value="([a-z]+)"', select) == ["webhook"]
        assert "Test message delivered" in await send_test(browser, channel["id"])
        assert hook.paths == ["/built"] and hook.bodies[0]["test"] is True


async def test_the_policy_form_shows_labels_and_checkboxes_and_saves_picked_groups(kairos: Running) -> None:
    r = await kairos.client.post("/api/notifications/channels", json={"name": "c", "kind": "WEBHOOK",
                                                                      "url": "http://127.0.0.1:9/x"})  # fmt: skip
    channel_id = r.json()["id"]
    groups = [(await kairos.client.post("/api/groups", json={"name": f"team-{n:02d}"})).json()["id"] for n in range(10)]
    async with admin_browser(kairos) as browser:
        page = (await browser.get(PAGE + "/policies/new")).text
        assert "An outage starts" in page and "Certificate expiring" in page and "Location down" in page
        assert ">outage_opened<" not in page and '<select id="f-groupIds"' not in page and "multiple" not in page
        assert f'id="f-group-{groups[3]}" name="groupIds" value="{groups[3]}" type="checkbox"' in page
        assert 'data-filter="f-group-list"' in page  # ten groups: a filter box
        form: dict[str, str | list[str]] = {"name": "teams", "channelId": str(channel_id),
                "events": ["outage_opened", "cert_expiring"],
                "scope": "groups", "groupIds": [str(groups[1]), str(groups[3])], "active": "on"}  # fmt: skip
        r = await post_form(browser, PAGE + "/policies/new", form)
        assert r.status_code == 303
        (policy,) = (await kairos.client.get("/api/notifications/policies")).json()
        assert (policy["scope"], sorted(policy["scopeIds"])) == ("groups", sorted([groups[1], groups[3]]))
        listing = (await browser.get(PAGE)).text
        assert "An outage starts" in listing and "Certificate expiring" in listing
        edit = (await browser.get(f"{PAGE}/policies/{policy['id']}")).text
        assert f'value="{groups[3]}" type="checkbox" data-scope="groups" checked' in edit
