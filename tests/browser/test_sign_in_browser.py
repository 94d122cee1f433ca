"""Signing in through the real browser."""

from __future__ import annotations

from tests.browser.conftest import Pages


async def test_first_login_forces_the_password_change(pages: Pages) -> None:
    page = await pages.open("/admin")
    assert "/login" in page.url
    await page.fill("#email", "admin@kairos.local")
    await page.fill("#password", "admin")
    await page.click("button[type=submit]")
    await page.wait_for_url("**/account/password")
    assert await page.locator("#forced-change").is_visible()
    await page.goto(pages.kairos.url + "/admin")
    assert page.url.endswith("/account/password")
    await page.fill("#current", "admin")
    await page.fill("#new", "short")
    await page.fill("#again", "short")
    await page.click("main button[type=submit]")
    assert "at least 10 characters" in await page.locator("#new-error").inner_text()
    await page.fill("#current", "admin")
    await page.fill("#new", "a-much-better-password")
    await page.fill("#again", "a-much-better-password")
    await page.click("main button[type=submit]")
    await page.wait_for_url("**/admin?changed=1")
    assert await page.locator("h1").inner_text() == "Console"
