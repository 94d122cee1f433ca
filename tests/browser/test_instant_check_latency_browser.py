"""The console's check verdict (verdict.js, the instant check with JavaScript) says how long an answer took,
and shows no time at all for a connection that was refused (its fraction of a millisecond is no latency)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.api.loopback import Target, closed_port, target
from tests.browser.conftest import Pages

__all__ = ["closed_port", "target"]  # fixtures


async def test_the_instant_check_verdict_shows_a_latency_only_for_an_answer(
    pages: Pages, target: Target, closed_port: int
) -> None:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/instant-check")
    result = page.locator("#instant-result")
    await page.select_option("#resourceType", "TCP")
    await page.fill("#target", f"127.0.0.1:{closed_port}")
    await page.click("#run")
    await expect(result.locator(".verdict-code")).to_have_text("connect_refused")
    await expect(result.locator(".verdict-latency")).to_have_count(0)
    await page.select_option("#resourceType", "HTTP")
    await page.fill("#target", target.url("/"))
    await page.click("#run")
    await expect(result.locator(".verdict-status")).to_have_text("AVAILABLE")
    await expect(result.locator(".verdict-latency")).to_have_text(re.compile(r"^took \d+(\.\d)? ms$"))
