"""Announcements in a real browser: hostile content stays inert, the editor's live preview and toolbar, and
"active until" entered in the browser's own time zone."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import Pages
from tests.harness import Running

HOSTILE = '<script>window.pwned=1</script>\n<img src=x onerror="window.pwned=2">\n\nVisible **text**'


@pytest.fixture
async def kolkata(browser: Browser, kairos: Running) -> AsyncIterator[Pages]:
    """Pages in a browser whose clock is in Asia/Kolkata (UTC+05:30, no daylight saving): a time typed
    into the form must reach the server as the same moment in UTC."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Kolkata")
    context.set_default_timeout(15_000)
    watcher = Pages(context, kairos)
    yield watcher
    await context.close()
    assert watcher.foreign == [], f"requests left the server: {watcher.foreign}"
    assert watcher.console_errors == [], f"errors in the browser console: {watcher.console_errors}"


async def _editor(pages: Pages) -> Page:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/announcements/new")
    return page


async def test_script_and_event_handler_in_an_announcement_stay_inert(pages: Pages) -> None:
    r = await pages.kairos.client.post("/api/announcements", json={"content": HOSTILE, "kind": "PROBLEM"})
    created = r.json()
    page = await pages.open("/announcements")
    article = page.locator(f"#announcement-{created['id']}")
    await expect(article).to_contain_text("Visible text")
    await expect(article).to_have_class(re.compile(r"\balert-problem\b"))
    assert await article.locator("script, img, iframe, svg").count() == 0
    assert await page.evaluate("typeof window.pwned") == "undefined"
    # The same content in the console's editor preview and delete confirmation is just as inert.
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + f"/admin/announcements/{created['id']}/edit")
    await expect(page.locator("#preview-body strong")).to_have_text("text")
    await page.fill("#content", HOSTILE + " again")
    await expect(page.locator("#preview-body")).to_contain_text("again")
    assert await page.locator("#preview-body script, #preview-body img").count() == 0
    assert await page.evaluate("typeof window.pwned") == "undefined"


async def test_the_live_preview_follows_typing_and_the_toolbar(pages: Pages) -> None:
    page = await _editor(pages)
    preview = page.locator("#preview-body")
    content = page.locator("#content")
    await content.press_sequentially("Deploy of **version 2**")
    await expect(preview.locator("strong")).to_have_text("version 2")
    await content.fill("line one\nline two")
    await content.evaluate("t => t.setSelectionRange(0, t.value.length)")
    await page.get_by_role("button", name="Bulleted list").click()
    await expect(content).to_have_value("- line one\n- line two")
    await expect(preview.locator("ul li")).to_have_count(2)
    await content.fill("urgent")
    await content.evaluate("t => t.setSelectionRange(0, 6)")
    await page.get_by_role("button", name="Bold").click()
    await expect(preview.locator("strong")).to_have_text("urgent")
    await content.fill("see status")
    await content.evaluate("t => t.setSelectionRange(4, 10)")
    await page.get_by_role("button", name="Link").click()
    await page.keyboard.type("https://status.example.com")  # the toolbar selected the address part
    await expect(content).to_have_value("see [status](https://status.example.com)")
    await expect(preview.locator("a")).to_have_attribute("href", "https://status.example.com")
    await page.select_option("#kind", "WARNING")
    await expect(page.locator("#preview")).to_have_class(re.compile(r"\balert-warning\b"))


async def test_an_admin_creates_an_announcement_end_to_end_in_the_browsers_time_zone(kolkata: Pages) -> None:
    page = await _editor(kolkata)
    # Chromium's ICU names the zone by its older alias.
    await expect(page.locator("#until-zone")).to_have_text(re.compile(r"your time zone \(Asia/(Kolkata|Calcutta)\)"))
    await page.click("#save")  # empty content: the browser's own check stops it, nothing is sent
    assert page.url.endswith("/admin/announcements/new")
    await page.select_option("#kind", "PROBLEM")
    await page.fill("#content", "# Outage\n\nThe **registry** is down.")
    await page.fill("#active_until_local", "2099-07-01T12:00")
    await page.click("#save")
    await page.wait_for_url("**/admin/announcements?saved=*")
    await expect(page.locator("#flash")).to_have_text("The announcement was saved.")

    # createdBy (an admin's email) is shown to admins only.
    (stored,) = (await kolkata.kairos.client.get("/api/announcements")).json()
    assert stored["kind"] == "PROBLEM" and stored["createdBy"] == "admin@kairos.local"
    assert stored["activeUntil"] == "2099-07-01T06:30:00Z"  # 12:00 in Kolkata

    await page.click(f"a[href='/admin/announcements/{stored['id']}/edit']")
    await expect(page.locator("#active_until_local")).to_have_value("2099-07-01T12:00")
    await page.goto(kolkata.kairos.url + "/announcements")
    article = page.locator(f"#announcement-{stored['id']}")
    await expect(article.locator("h3")).to_have_text("Outage")
    await expect(article.locator("strong")).to_have_text("registry")
    await expect(article).to_have_class(re.compile(r"\balert-problem\b"))
