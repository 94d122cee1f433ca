"""Maintenance windows in a real browser: the dashboard's block above the groups, the timeline's maintenance
block, and the band on the resource page's latency chart."""

from __future__ import annotations

from playwright.async_api import expect

from tests.api.loopback import Target, target
from tests.browser.conftest import Pages
from tests.maintenance.conftest import made, one_off, resource

__all__ = ["target"]


async def test_the_dashboard_shows_active_and_upcoming_windows_and_marks_the_timeline(
    pages: Pages, target: Target
) -> None:
    c = pages.kairos.client
    await made(c, one_off("Database upgrade", description="Reads may be slow."))
    await made(c, one_off("Network work", start_min=120, end_min=180))
    rid = await resource(c, target, "db", active=False)
    assert (await c.post(f"/api/resources/{rid}/check")).json()["status"] == "MAINTENANCE"
    page = await pages.open("/")
    block = page.locator("#dash-maintenance")
    await expect(block.locator(".alert-maintenance.active")).to_contain_text("Maintenance now: Database upgrade")
    await expect(block.locator(".alert-maintenance:not(.active)")).to_contain_text("Planned maintenance: Network work")
    above = await page.evaluate(
        "document.getElementById('dash-maintenance').compareDocumentPosition(document.getElementById('dash-board'))"
    )
    assert above & 4  # DOCUMENT_POSITION_FOLLOWING: the board comes after the block
    row = page.locator(f"li.r[data-id='{rid}']")
    await expect(row.locator(".tl > span").last).to_have_class("m")
    await expect(row.locator(".dot")).to_have_class("dot maintenance")
    colour = await row.locator(".tl > span").last.evaluate("e => getComputedStyle(e).backgroundColor")
    unknown = await page.evaluate(
        "(() => { const e = document.createElement('i'); e.style.background = 'var(--unknown)';"
        " document.body.append(e); const c = getComputedStyle(e).backgroundColor; e.remove(); return c; })()"
    )
    assert colour.startswith("rgb") and unknown.startswith("rgb") and colour != unknown  # distinct from "unknown"

    resource_page = await pages.open(f"/resources/{rid}")
    await expect(resource_page.locator("#chart svg rect.maint")).to_have_count(1)
