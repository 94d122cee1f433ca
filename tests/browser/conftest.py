"""Headless Chromium (Debian's, driven by Playwright) against a real Kairos on loopback.

Every page a test opens is watched: a request to any host but the server itself fails the test, so an asset
from a CDN or a stray call home cannot slip in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Request, async_playwright

from tests.harness import Running
from tests.servers.chromium import ARGS, CHROMIUM
from tests.web.pages import ADMIN_EMAIL, NEW_PASSWORD


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        await b.close()


class Pages:
    """Opens pages on one Kairos and records every request that leaves it."""

    def __init__(self, context: BrowserContext, kairos: Running) -> None:
        self.context = context
        self.kairos = kairos
        self.foreign: list[str] = []
        self.console_errors: list[str] = []
        self.expect_failures = False  # a test that provokes failing API calls on purpose sets this
        origin = urlsplit(kairos.url)
        self._origin = (origin.hostname, origin.port)
        context.on("request", self._watch)

    def _watch(self, request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if (url.hostname, url.port) != self._origin:
            self.foreign.append(request.url)

    def _console(self, kind: str, text: str) -> None:
        if kind == "error" and not text.startswith("Failed to load resource"):
            self.console_errors.append(text)

    def _response(self, kind: str, status: int, url: str) -> None:
        if kind != "document" and status >= 400 and not self.expect_failures:
            self.console_errors.append(f"{status} on {url}")

    async def open(self, path: str = "/") -> Page:
        page = await self.context.new_page()
        # A form answered 4xx is a page like any other; a broken script, style or API call is not.
        page.on("console", lambda m: self._console(m.type, m.text))
        page.on("response", lambda r: self._response(r.request.resource_type, r.status, r.url))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        await page.goto(self.kairos.url + path)
        return page

    async def sign_in_as_admin(self, page: Page) -> None:
        """Signs in as the default admin and gets past the forced password change."""
        await page.goto(self.kairos.url + "/login")
        await page.fill("#email", ADMIN_EMAIL)
        await page.fill("#password", "admin")
        await page.click("button[type=submit]")
        await page.wait_for_url("**/account/password")
        await page.fill("#current", "admin")
        await page.fill("#new", NEW_PASSWORD)
        await page.fill("#again", NEW_PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_url("**/admin?changed=1")


@pytest.fixture
async def pages(browser: Browser, kairos: Running) -> AsyncIterator[Pages]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    watcher = Pages(context, kairos)
    yield watcher
    await context.close()
    assert watcher.foreign == [], f"requests left the server: {watcher.foreign}"
    assert watcher.console_errors == [], f"errors in the browser console: {watcher.console_errors}"
