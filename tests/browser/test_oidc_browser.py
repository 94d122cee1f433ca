"""Single sign-on in a real browser: Kairos' button, the provider's own login and consent pages, and back into
the console. The watcher allows exactly two origins, Kairos and the provider; nothing else leaves the machine
(the provider's dev pages ask for a web font: that request is aborted, and it is not Kairos' doing)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Request, expect

from tests.browser.conftest import Pages
from tests.harness import Running
from tests.oidc.support import OidcKairos, kairos_port, oidc_kairos, oidc_overrides, provider

__all__ = ["kairos_port", "oidc_kairos", "oidc_overrides", "provider"]


class ProviderPages(Pages):
    """``Pages`` that also lets the browser talk to the OpenID provider (another port on loopback)."""

    def __init__(self, context: BrowserContext, kairos: OidcKairos) -> None:
        issuer = urlsplit(kairos.provider.issuer)
        self._provider = (issuer.hostname, issuer.port)
        super().__init__(context, Running(kairos.url, None, kairos.runtime, None, None, ""))  # type: ignore[arg-type]

    def on_either(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.hostname, parts.port) in (self._provider, self._origin)

    def _watch(self, request: Request) -> None:
        frame = urlsplit(request.frame.url)
        if self.on_either(request.url) or (frame.hostname, frame.port) == self._provider:
            return  # Kairos and the provider, and what the provider's own pages load (aborted below)
        super()._watch(request)


@pytest.fixture
async def sso_pages(browser: Browser, oidc_kairos: OidcKairos) -> AsyncIterator[ProviderPages]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    watcher = ProviderPages(context, oidc_kairos)
    await context.route(lambda url: not watcher.on_either(url), lambda route: route.abort())
    yield watcher
    await context.close()
    assert watcher.foreign == [], f"requests left the two servers: {watcher.foreign}"
    assert watcher.console_errors == [], f"errors in the browser console: {watcher.console_errors}"


async def test_signing_in_with_the_provider_lands_in_the_console(sso_pages: ProviderPages) -> None:
    page = await sso_pages.open("/admin/resources")
    assert "/login" in page.url
    await page.click("text=Sign in with Example ID")
    await page.fill("input[name=login]", "alice")
    await page.fill("input[name=password]", "anything")
    await page.click("button[type=submit]")
    await page.click("button[type=submit]")  # the provider's consent page
    await page.wait_for_url("**/admin/resources")
    await expect(page.locator("h1")).to_have_text("Resources")
    await page.goto(sso_pages.kairos.url + "/admin/api-keys")
    await expect(page.locator("h1")).to_contain_text("API keys")
