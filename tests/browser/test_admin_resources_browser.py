"""The resource console in a real browser: add through the form and watch the dashboard turn green, check
now inline, field errors, the delete dialog and the instant check."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.api.loopback import Target, target
from tests.api.support import create_resource
from tests.browser.conftest import Pages

__all__ = ["target"]

AVAILABLE = re.compile(r"(^|\s)available(\s|$)")


async def test_a_resource_added_through_the_form_turns_available_on_the_dashboard_without_a_reload(
    pages: Pages, target: Target
) -> None:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/resources/new?kind=HTTP")
    await page.fill("#name", "Loopback web")
    await page.fill("#target", target.url("/"))
    await page.uncheck("#active")  # added disabled, so the dashboard is open before its first check
    await page.click("main button[type=submit]")
    await page.wait_for_url(re.compile(r"/admin/resources\?created=\d+$"))
    rid = int(page.url.rsplit("=", 1)[1])

    board = await pages.open("/")
    dot = board.locator(f'li[data-id="{rid}"] .dot')
    await expect(dot).to_be_visible()
    await expect(dot).not_to_have_class(AVAILABLE)
    await page.click(f'tr[data-resource-id="{rid}"] button:has-text("Enable")')
    await expect(dot).to_have_class(AVAILABLE)
    await expect(page.locator(f'tr[data-resource-id="{rid}"]')).to_contain_text("enabled")


async def test_check_now_shows_the_verdict_and_its_phases_inline(pages: Pages, target: Target) -> None:
    res = await create_resource(pages.kairos, target.url("/"), name="inline")
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/resources")
    await page.click(f'tr[data-resource-id="{res["id"]}"] button:has-text("Check now")')
    result = page.locator(f"#result-{res['id']}")
    await expect(result.locator(".verdict-status")).to_have_text("AVAILABLE")
    await expect(result.locator('[data-phase="connectMs"]')).to_have_text(re.compile(r"^\d+(\.\d)? ms$"))
    await expect(result).to_contain_text("HTTP 200")
    assert page.url.endswith("/admin/resources")  # no navigation: the verdict came from the API


async def test_a_refused_target_is_explained_next_to_the_field(pages: Pages) -> None:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/resources/new?kind=HTTP")
    await page.fill("#name", "wrong scheme")
    await page.fill("#target", "ftp://example.com/file")
    await page.click("main button[type=submit]")
    await expect(page.locator("#target-error")).to_contain_text("http")
    await expect(page.locator("#target")).to_have_value("ftp://example.com/file")
    await expect(page.locator("#target")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#name")).to_have_value("wrong scheme")


async def test_delete_asks_in_a_dialog(pages: Pages, target: Target) -> None:
    res = await create_resource(pages.kairos, target.url("/"), name="doomed")
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/resources")
    await page.click(f'tr[data-resource-id="{res["id"]}"] a:has-text("Delete")')
    dialog = page.locator("#delete-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("Delete doomed?")
    await page.click("#delete-cancel")
    await expect(dialog).to_be_hidden()
    await page.click(f'tr[data-resource-id="{res["id"]}"] a:has-text("Delete")')
    await page.click("#delete-confirm")
    await expect(page.locator("#notice")).to_have_text("Deleted doomed.")
    await expect(page.locator(f'tr[data-resource-id="{res["id"]}"]')).to_have_count(0)


async def test_the_instant_check_shows_phases_and_tracks_the_target_as_a_resource(pages: Pages, target: Target) -> None:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/instant-check")
    await page.select_option("#resourceType", "TCP")
    await expect(page.locator('fieldset[data-kinds="HTTP"]')).to_be_hidden()
    await page.select_option("#resourceType", "HTTP")
    await expect(page.locator("#ic-http-method")).to_be_visible()
    url = target.url("/probe")
    await page.fill("#target", url)
    await page.select_option("#ic-http-method", "HEAD")
    await page.click("#run")
    result = page.locator("#instant-result")
    await expect(result.locator(".verdict-status")).to_have_text("AVAILABLE")
    for phase in ("connectMs", "firstByteMs", "totalMs"):
        await expect(result.locator(f'[data-phase="{phase}"]')).to_have_text(re.compile(r"^\d+(\.\d)? ms$"))
    assert page.url.endswith("/admin/instant-check")
    await page.click("#track")
    await page.wait_for_url(re.compile(r"/admin/resources/new\?"))
    await expect(page.locator("#target")).to_have_value(url)
    await expect(page.locator("#name")).to_have_value(url)
    await expect(page.locator("legend").first).to_have_text("HTTP(S)")


async def test_the_instant_check_puts_an_api_refusal_next_to_its_field(pages: Pages) -> None:
    pages.expect_failures = True  # the 422 of the API is the point of this test
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/instant-check")
    await page.select_option("#resourceType", "TCP")
    await page.fill("#target", "no-port-here")
    await page.click("#run")
    await expect(page.locator("#target-error")).to_contain_text("port")
    await expect(page.locator("#track")).to_be_hidden()
