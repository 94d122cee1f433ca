"""Announcements on the dashboard follow their "active until" without a reload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from tests.browser.conftest import Pages


async def test_an_expired_announcement_disappears_from_the_dashboard_by_itself(pages: Pages) -> None:
    until = (datetime.now(UTC) + timedelta(seconds=4)).isoformat()
    client = pages.kairos.client
    r = await client.post(
        "/api/announcements", json={"kind": "WARNING", "content": "Maintenance **now**", "activeUntil": until}
    )
    assert r.status_code == 201, r.text
    await client.post("/api/announcements", json={"kind": "INFORMATION", "content": "Stays up"})
    page = await pages.open("/")
    expiring = page.locator(".dash-announcement", has_text="Maintenance now")
    await expect(expiring).to_be_visible()
    await expect(expiring).to_have_count(0, timeout=15_000)
    await expect(page.locator(".dash-announcement", has_text="Stays up")).to_be_visible()
    await page.reload()
    await expect(page.locator(".dash-announcement")).to_have_count(1)
