"""The pages at a phone's width (390 x 844): a one-row header whose links fold behind a menu button, the
console's menu behind one of its own, and wide tables that scroll inside their box instead of widening the page."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from tests.api.support import create_resource
from tests.browser.contexts import PHONE, watched
from tests.harness import Running

LONG = "http://127.0.0.1:9/" + "a-rather-long-path-segment/" * 6


async def header_height(page: Page) -> float:
    box = await page.locator("header.topbar").bounding_box()
    assert box is not None
    return float(box["height"])


async def page_width(page: Page) -> int:
    return int(await page.evaluate("document.documentElement.scrollWidth"))


async def test_the_header_is_one_row_and_its_menu_button_opens_the_links(browser: Browser, kairos: Running) -> None:
    async with watched(browser, kairos, viewport=PHONE) as pages:
        page = await pages.open("/announcements")
        assert await header_height(page) < 70
        toggle = page.locator("button.nav-toggle")
        outages = page.locator("#site-menu a[href='/outages']")
        await expect(toggle).to_have_attribute("aria-expanded", "false")
        await expect(toggle).to_have_attribute("aria-controls", "site-menu")
        await expect(outages).to_be_hidden()
        await toggle.click()
        await expect(toggle).to_have_attribute("aria-expanded", "true")
        await expect(outages).to_be_visible()
        await expect(page.locator("#theme-picker")).to_be_visible()
        # Escape folds it again and leaves the keyboard on the button.
        await outages.focus()
        await page.keyboard.press("Escape")
        await expect(outages).to_be_hidden()
        await expect(toggle).to_be_focused()
        await toggle.click()
        await outages.click()
        await page.wait_for_url("**/outages")
        assert await header_height(page) < 70


async def test_the_console_fits_the_phone_and_its_tables_scroll_in_their_box(browser: Browser, kairos: Running) -> None:
    for i in range(3):
        await create_resource(kairos, LONG, name=f"a resource with a long name {i}", active=False)
    async with watched(browser, kairos, viewport=PHONE) as pages:
        page = await pages.open("/login")
        await pages.sign_in_as_admin(page)
        await page.goto(kairos.url + "/admin/resources")
        await expect(page.locator("table.resources tbody tr[data-resource-id]")).to_have_count(3)
        assert await header_height(page) < 70
        assert await page_width(page) <= PHONE["width"]
        # The table is wider than the phone: it scrolls inside its own box.
        wrap = page.locator(".table-wrap", has=page.locator("table.resources"))
        sizes = await wrap.evaluate("w => [w.scrollWidth, w.clientWidth, getComputedStyle(w).overflowX]")
        assert sizes[0] > sizes[1] and sizes[2] == "auto", sizes
        await wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
        assert await wrap.evaluate("w => w.scrollLeft") > 0
        assert await page_width(page) <= PHONE["width"]
        # The console's 15 links wait behind their button: the page starts with its own content.
        side = page.locator("button.side-toggle")
        groups = page.locator("#console-menu a[href='/admin/groups']")
        await expect(groups).to_be_hidden()
        await expect(side).to_have_attribute("aria-expanded", "false")
        await side.click()
        await expect(side).to_have_attribute("aria-expanded", "true")
        await groups.click()
        await page.wait_for_url("**/admin/groups")
        assert await page_width(page) <= PHONE["width"]


async def test_without_javascript_the_links_stay_in_view(browser: Browser, kairos: Running) -> None:
    async with watched(browser, kairos, viewport=PHONE, java_script_enabled=False) as pages:
        page = await pages.open("/outages")
        await expect(page.locator("button.nav-toggle")).to_be_hidden()
        await expect(page.locator("#site-menu a[href='/outages']")).to_be_visible()
        await expect(page.locator("#site-menu a[href='/login']")).to_be_visible()
        assert await page_width(page) <= PHONE["width"]
