"""The notification forms in a real browser: the channel builder shows only the chosen service's fields and
saves a Telegram channel the list shows redacted; the policy form works by clicks alone (no Ctrl-click)."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import Pages

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


async def signed_in(pages: Pages, path: str) -> Page:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + path)
    return page


async def test_a_telegram_channel_is_built_from_its_fields_and_listed_redacted(pages: Pages) -> None:
    page = await signed_in(pages, "/admin/notifications/channels/new")
    await expect(page.locator("#service-slack")).to_be_visible()
    await expect(page.locator("#service-telegram")).to_be_hidden()
    await page.fill("#f-name", "on-call phones")
    await page.select_option("#f-service", "telegram")
    await expect(page.locator("#service-telegram")).to_be_visible()
    await expect(page.locator("#service-slack")).to_be_hidden()
    await page.fill("#f-telegram-bot_token", TOKEN)
    await page.fill("#f-telegram-chat_id", "-1001234567890")
    await page.click("#channel-form button[type=submit]")
    await page.wait_for_url("**/admin/notifications?done=channel-created")
    row = page.locator("#channels tbody tr", has_text="on-call phones")
    await expect(row.locator("td").nth(1)).to_have_text("Telegram")
    await expect(row.locator("td").nth(2)).to_have_text("tgram://…")
    assert TOKEN.split(":")[1] not in await page.content()
    # Editing shows the chat id, not the token, and a blank token keeps it.
    await row.get_by_role("link", name="Edit").click()
    await expect(page.locator("#f-telegram-chat_id")).to_have_value("-1001234567890")
    await expect(page.locator("#f-telegram-bot_token")).to_have_value("")
    await page.fill("#f-telegram-chat_id", "-1009")
    await page.click("#channel-form button[type=submit]")
    await page.wait_for_url("**/admin/notifications?done=channel-saved")
    (channel,) = (await pages.kairos.client.get("/api/notifications/channels")).json()
    assert channel["urlHint"] == "tgram://…"


async def test_bad_fields_are_marked_in_the_page(pages: Pages) -> None:
    page = await signed_in(pages, "/admin/notifications/channels/new")
    await page.fill("#f-name", "phones")
    await page.select_option("#f-service", "telegram")
    await page.fill("#f-telegram-bot_token", "not a token")
    await page.click("#channel-form button[type=submit]")
    await expect(page.locator("#f-telegram-bot_token-error")).to_contain_text("123456789:AAH")
    await expect(page.locator("#f-telegram-chat_id-error")).to_have_text("Enter the chat id.")
    await expect(page.locator("#service-telegram")).to_be_visible()  # the chosen service stays open


async def test_the_policy_form_is_filled_by_clicks_alone(pages: Pages) -> None:
    kairos = pages.kairos
    body = {"name": "hook", "kind": "WEBHOOK", "url": "http://127.0.0.1:9/x"}
    channel_id = (await kairos.client.post("/api/notifications/channels", json=body)).json()["id"]
    ids = [(await kairos.client.post("/api/groups", json={"name": f"team-{n:02d}"})).json()["id"] for n in range(12)]
    page = await signed_in(pages, "/admin/notifications/policies/new")
    await page.fill("#f-name", "teams")
    await page.select_option("#f-channelId", str(channel_id))
    await page.get_by_label("An outage ends").click()  # ticked by default: unticked by one click
    await page.get_by_label("Certificate expiring").click()
    # The filter box narrows the list; ticking a group picks the groups scope.
    await page.fill("#f-group-filter", "team-07")
    await expect(page.locator("#f-group-list label:visible")).to_have_count(1)
    await page.get_by_label("team-07").click()
    await expect(page.locator("#f-scope-groups")).to_be_checked()
    await page.fill("#f-group-filter", "")
    await page.get_by_label("team-01").click()
    await page.click("#policy-form button[type=submit]")
    await page.wait_for_url("**/admin/notifications?done=policy-created")
    (policy,) = (await kairos.client.get("/api/notifications/policies")).json()
    assert policy["events"] == ["outage_opened", "cert_expiring"]
    assert (policy["scope"], sorted(policy["scopeIds"])) == ("groups", sorted([ids[1], ids[7]]))
    await expect(page.locator("#policies tbody tr").first).to_contain_text("Certificate expiring")
