"""The console's resource table at a few hundred resources in Chromium: the selection survives paging, "select
all matching this filter" acts on exactly the filter's resources, and without JavaScript the page's boxes and
"Apply to all N matching" still work."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from kairos.db.models import Resource
from tests.browser.conftest import Pages
from tests.harness import Running
from tests.web.console_seed import seed


async def _paused(kairos: Running) -> set[int]:
    async with kairos.runtime.sessionmaker() as session:
        return set((await session.execute(select(Resource.id).where(Resource.enabled.is_(False)))).scalars())


async def _admin(pages: Pages, path: str) -> Page:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + path)
    return page


async def test_a_selection_made_on_two_pages_is_paused_together(pages: Pages) -> None:
    ids = await seed(pages.kairos, [f"r-{i}" for i in range(1, 301)], enabled=True)
    page = await _admin(pages, "/admin/resources")
    await expect(page.locator("#page-of")).to_have_text("Page 1 of 6")
    await page.check('input[aria-label="Select r-1"]')
    await page.check('input[aria-label="Select r-2"]')
    await expect(page.locator("#bulk-count")).to_have_text("2 selected")
    await page.click("a[rel=next]")
    await expect(page.locator("#page-of")).to_have_text("Page 2 of 6")
    await expect(page.locator("#bulk-count")).to_have_text("2 selected")  # kept from page 1
    await page.check('input[aria-label="Select r-60"]')
    await expect(page.locator("#bulk-count")).to_have_text("3 selected")
    await page.go_back()
    await expect(page.locator('input[aria-label="Select r-2"]')).to_be_checked()
    await expect(page.locator('input[aria-label="Select r-3"]')).not_to_be_checked()

    await page.select_option("#bulk-action", "pause")
    await page.click("#bulk-apply")
    await expect(page.locator("#notice")).to_have_text("Paused 3 resource(s).")
    assert await _paused(pages.kairos) == {ids[0], ids[1], ids[59]}
    await expect(page.locator("#bulk-count")).to_have_text("")  # done: the selection starts afresh


async def test_select_all_matching_pauses_exactly_the_filters_resources(pages: Pages) -> None:
    web = await seed(pages.kairos, [f"web-{i}" for i in range(1, 151)], enabled=True)
    await seed(pages.kairos, [f"db-{i}" for i in range(1, 81)], enabled=True)
    page = await _admin(pages, "/admin/resources?q=web")
    await expect(page.locator("#select-matching")).to_be_hidden()
    await expect(page.locator("#apply-matching")).to_be_hidden()  # the no-JavaScript way is not needed
    await page.check("#select-all")
    await expect(page.locator("#bulk-count")).to_have_text("50 selected")
    await page.click("#select-matching")
    await expect(page.locator("#bulk-count")).to_have_text("All 150 matching this filter selected")
    await page.click("a[rel=last]")
    await expect(page.locator("#bulk-count")).to_have_text("All 150 matching this filter selected")
    await expect(page.locator('input[aria-label="Select web-150"]')).to_be_checked()

    await page.select_option("#bulk-action", "pause")
    await page.click("#bulk-apply")
    await expect(page.locator("#bulk-matching h1")).to_have_text("Pause: 150 resources match this filter")
    await expect(page.locator("#matching-again")).to_contain_text("evaluated again when you confirm")
    assert await _paused(pages.kairos) == set()
    await page.click("#matching-confirm")
    await expect(page.locator("#notice")).to_have_text("Paused 150 resource(s).")
    await expect(page).to_have_url(re.compile(r"/admin/resources\?q=web&page=3$"))  # back where it was chosen
    assert await _paused(pages.kairos) == set(web)


async def test_without_javascript_the_pages_boxes_and_apply_to_all_matching_work(
    browser: Browser, kairos: Running
) -> None:
    context = await browser.new_context(java_script_enabled=False)
    try:
        watcher = Pages(context, kairos)
        ids = await seed(kairos, [f"web-{i}" for i in range(1, 61)], enabled=True)
        await seed(kairos, ["db-1"], enabled=True)
        page = await _admin(watcher, "/admin/resources?q=web&size=25")
        await expect(page.locator("#select-all")).to_be_hidden()
        await page.check('input[aria-label="Select web-3"]')
        await page.select_option("#bulk-action", "pause")
        await page.click("#bulk-apply")
        await expect(page.locator("#notice")).to_have_text("Paused 1 resource(s).")
        assert await _paused(kairos) == {ids[2]}

        await page.select_option("#bulk-action", "pause")
        await page.click("#apply-matching")
        await expect(page.locator("#bulk-matching h1")).to_have_text("Pause: 60 resources match this filter")
        await page.click("#matching-confirm")
        await expect(page.locator("#notice")).to_have_text(re.compile(r"^Paused 60 resource\(s\)\.$"))
        assert await _paused(kairos) == set(ids)
    finally:
        await context.close()
