"""The keyboard: "Skip to content" is the first tab stop of every page and lands in the page's own content
(past the console's menu), and the console's add and edit forms open with the keyboard in their first field."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import Pages


async def skip_lands_in_main(page: Page) -> None:
    await page.keyboard.press("Tab")
    await expect(page.locator("a.skip")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("main#main")).to_be_focused()
    # The next stop is inside the content: the header and the console's menu are behind.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.querySelector('main').contains(document.activeElement)")


async def test_skip_to_content_is_the_first_stop_and_passes_the_menus(pages: Pages) -> None:
    page = await pages.open("/outages")
    await skip_lands_in_main(page)
    await pages.sign_in_as_admin(page)
    for path in ("/admin", "/admin/resources", "/admin/groups"):
        await page.goto(pages.kairos.url + path)
        await skip_lands_in_main(page)
        assert await page.evaluate("!document.querySelector('main').contains(document.querySelector('nav.side'))")


async def test_the_add_form_opens_in_its_first_field_and_a_refused_save_in_the_field_to_fix(pages: Pages) -> None:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/resources/new?kind=HTTP")
    await expect(page.locator("#name")).to_be_focused()
    await page.keyboard.type("typed at once")
    await page.fill("#target", "not a url")
    await page.click("main button[type=submit]")
    await expect(page.locator("#form-errors")).to_be_visible()
    await expect(page.locator("#target")).to_be_focused()
    await expect(page.locator("#name")).to_have_value("typed at once")


async def test_pages_without_a_form_to_fill_keep_the_focus_where_it_was(pages: Pages) -> None:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/groups")  # a create form, but the board comes first
    assert await page.evaluate("document.activeElement === document.body")
