"""The theme follows the operating system (prefers-color-scheme) until the user picks System, Light or Dark in
the header; the choice is remembered. Without JavaScript the stylesheet alone follows the system."""

from __future__ import annotations

from typing import Literal

from playwright.async_api import Browser, Page, expect

from tests.browser.contexts import watched
from tests.harness import Running

DARK_BG = "rgb(11, 18, 32)"  # --bg of the dark palette, #0b1220
LIGHT_BG = "rgb(246, 248, 252)"  # --bg of the light palette, #f6f8fc
Scheme = Literal["dark", "light"]
# (the system's setting, the body's background, the other setting)
SYSTEMS: tuple[tuple[Scheme, str, Scheme], ...] = (("dark", DARK_BG, "light"), ("light", LIGHT_BG, "dark"))


# Runs before the page's own scripts: notes the theme at the moment <body> is parsed, before anything of the page
# can be painted. If theme.js ran later (deferred, or after the first paint), this would see the wrong one.
AT_BODY = """
new MutationObserver((changes, observer) => {
  if (!document.body) return;
  window.__themeAtBody = document.documentElement.getAttribute("data-theme");
  observer.disconnect();
}).observe(document, {childList: true, subtree: true});
"""


async def background(page: Page) -> str:
    return str(await page.evaluate("getComputedStyle(document.body).backgroundColor"))


async def test_with_no_choice_the_palette_follows_the_system(browser: Browser, kairos: Running) -> None:
    for scheme, bg, other in SYSTEMS:
        async with watched(browser, kairos, color_scheme=scheme) as pages:
            page = await pages.open("/outages")
            await expect(page.locator("html")).to_have_attribute("data-theme", scheme)
            await expect(page.locator("#theme-picker")).to_have_value("system")
            assert await background(page) == bg
            # "System" follows a change of the setting without a reload.
            await page.emulate_media(color_scheme=other)
            await expect(page.locator("html")).to_have_attribute("data-theme", other)


async def test_a_picked_theme_stays_whatever_the_system_says(browser: Browser, kairos: Running) -> None:
    async with watched(browser, kairos, color_scheme="dark") as pages:
        await pages.context.add_init_script(AT_BODY)
        page = await pages.open("/outages")
        assert await page.evaluate("window.__themeAtBody") == "dark"
        await page.select_option("#theme-picker", "light")
        await expect(page.locator("html")).to_have_attribute("data-theme", "light")
        assert await background(page) == LIGHT_BG
        await page.reload()
        assert await page.evaluate("window.__themeAtBody") == "light"  # no dark flash before the choice applies
        await expect(page.locator("html")).to_have_attribute("data-theme", "light")
        await expect(page.locator("#theme-picker")).to_have_value("light")
        assert await background(page) == LIGHT_BG
        # Another page of the site, and a light system that then turns dark again: still light.
        await page.goto(pages.kairos.url + "/announcements")
        await page.emulate_media(color_scheme="light")
        await page.emulate_media(color_scheme="dark")
        await expect(page.locator("html")).to_have_attribute("data-theme", "light")
        # Dark under a light system, then back to System: the system's dark again.
        await page.emulate_media(color_scheme="light")
        await page.select_option("#theme-picker", "dark")
        await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        await page.emulate_media(color_scheme="dark")
        await page.select_option("#theme-picker", "system")
        await page.reload()
        await expect(page.locator("#theme-picker")).to_have_value("system")
        await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        assert await page.evaluate("localStorage.getItem('kairos.theme')") is None


async def test_without_javascript_the_stylesheet_follows_the_system(browser: Browser, kairos: Running) -> None:
    for scheme, bg, _ in SYSTEMS:
        async with watched(browser, kairos, color_scheme=scheme, java_script_enabled=False) as pages:
            page = await pages.open("/outages")
            assert await page.get_attribute("html", "data-theme") is None
            assert await background(page) == bg
            await expect(page.locator("#theme-picker")).to_be_hidden()  # it needs the script
