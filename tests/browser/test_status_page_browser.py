"""A status page and the dashboard's tag filter in a real browser: the 90-day bar's blocks with their tooltips,
the logo under the page's CSP, no public view of a HIDDEN group, and tag chips coloured without inline styles.
(The ``pages`` fixture fails any test whose page asks a host other than the server or logs an error.)"""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import Pages
from tests.harness import Running
from tests.status_pages.support import PNG, group, page, resource


async def test_a_status_page_shows_its_public_groups_with_a_90_day_bar_and_its_logo(
    pages: Pages, kairos: Running
) -> None:
    web, ops = await group(kairos, "Web"), await group(kairos, "Ops", "HIDDEN")
    await resource(kairos, "shop", web)
    await resource(kairos, "secret-box", ops)
    created = await page(kairos, groupIds=[web, ops], description="Hello *visitors*")
    r = await kairos.client.put(f"/api/status-pages/{created['id']}/logo", content=PNG)
    assert r.status_code == 200, r.text

    tab = await pages.open("/status/main")
    await expect(tab).to_have_title("Our status")
    await expect(tab.locator(".sp-description em")).to_have_text("visitors")
    await expect(tab.locator(".sp-group h2")).to_have_text(["Web"])  # the HIDDEN group is not shown
    await expect(tab.locator(".sp-row .d")).to_have_count(90)
    last = tab.locator(".sp-row .d").last
    await expect(last).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d · no data$"))
    # The logo loads (the page's CSP allows same-origin images) and is a decoded image.
    logo = tab.locator("img.sp-logo")
    await expect(logo).to_be_visible()
    assert await logo.evaluate("img => img.complete && img.naturalWidth === 1")


async def test_the_dashboard_filters_by_a_tag_chip(pages: Pages, kairos: Running) -> None:
    g = await group(kairos, "Web")
    await resource(kairos, "prod-api", g, tags=[{"key": "env", "value": "prod", "colour": "#22aa44"}])
    await resource(kairos, "staging-api", g, tags=[{"key": "env", "value": "staging"}])
    tab = await pages.open("/")
    chip = tab.locator("a.tag", has_text="env:prod")
    await expect(chip).to_have_css("border-top-color", "rgb(34, 170, 68)")  # set through the CSSOM, no style=
    await chip.click()
    await tab.wait_for_url("**/?tag=env%3Aprod")
    await expect(tab.locator(".tag-filter")).to_contain_text("env:prod")
    await expect(tab.locator("li.r .n")).to_have_text(["prod-api"])
