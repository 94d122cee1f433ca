"""The console's overview: each tile is a link to the list behind its number, and an empty console says how to
start."""

from __future__ import annotations

from playwright.async_api import expect

from tests.api.support import create_resource
from tests.browser.conftest import Pages


async def test_an_empty_console_offers_to_add_a_resource(pages: Pages) -> None:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.locator("#overview-empty a", has_text="Add a resource").click()
    await page.wait_for_url("**/admin/resources/new?kind=HTTP")
    await expect(page.locator("#name")).to_be_focused()


async def test_the_tiles_open_the_lists_they_count(pages: Pages) -> None:
    await create_resource(pages.kairos, "http://127.0.0.1:9/", name="paused one", active=False)
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    tiles = page.locator("#overview-tiles a.stat")
    await expect(tiles).to_have_count(5)
    await expect(page.locator("#overview-empty")).to_have_count(0)
    hrefs = [await tiles.nth(i).get_attribute("href") for i in range(5)]
    assert hrefs == [
        "/admin/resources",
        "/admin/resources?status=available",
        "/admin/resources?status=not-available",
        "/admin/resources?status=unknown",
        "/outages#active",
    ]
    # A resource never checked counts as unknown, here and in the list the tile opens.
    unknown = tiles.filter(has_text="unknown")
    await expect(unknown.locator(".stat-value")).to_have_text("1")
    await unknown.click()
    await page.wait_for_url("**/admin/resources?status=unknown")
    await expect(page.locator("tbody tr[data-resource-id]")).to_have_count(1)
    await page.go_back()
    await tiles.filter(has_text="active outages").click()
    await page.wait_for_url("**/outages#active")
    await expect(page.locator("#active")).to_be_visible()
