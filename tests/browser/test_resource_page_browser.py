"""The resource page in Chromium: the latency chart draws, switches windows, zooms, resets and shows
tooltips; the history filter works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from tests.browser.conftest import Pages
from tests.harness import Running
from tests.web.resource_seed import add_resource, down, seed_checks, set_state


async def _seeded(kairos: Running) -> int:
    rid = await add_resource(kairos, "Checkout")
    now = datetime.now(UTC)
    await seed_checks(kairos, rid, 28, timedelta(days=1), end=now - timedelta(days=1, minutes=7))
    await seed_checks(kairos, rid, 6, timedelta(minutes=5), down, end=now - timedelta(hours=12))
    results = await seed_checks(kairos, rid, 144, timedelta(minutes=5))
    set_state(kairos, rid, results[-1])
    return rid


async def _range(page: Page) -> tuple[int, int]:
    element = page.locator("#chart-range")
    return int(await element.get_attribute("data-from") or 0), int(await element.get_attribute("data-to") or 0)


async def test_the_latency_chart_draws_zooms_resets_and_shows_tooltips(kairos: Running, pages: Pages) -> None:
    rid = await _seeded(kairos)
    page = await pages.open(f"/resources/{rid}")
    chart = page.locator("#chart")
    await expect(chart.locator("path.s-total")).to_have_count(1)
    assert int(await chart.get_attribute("data-count") or 0) >= 100
    for series in ("s-dns", "s-connect", "s-tls"):
        await expect(chart.locator(f"path.{series}")).to_have_count(1)

    start, end = await _range(page)
    await page.click("[data-action=zoom-in]")
    await expect(page.locator("#chart-range")).not_to_have_attribute("data-from", str(start))
    zoomed = await _range(page)
    assert abs((zoomed[1] - zoomed[0]) - (end - start) / 2) < 1000
    await page.click("[data-action=pan-left]")
    panned = await _range(page)
    assert panned[0] < zoomed[0]
    await page.click("[data-action=reset]")
    await expect(page.locator("#chart-range")).to_have_attribute("data-from", str(start))

    box = await chart.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + 100)
    tooltip = page.locator("#chart-tooltip")
    await expect(tooltip).to_be_visible()
    await expect(tooltip).to_contain_text("Total:")
    await expect(tooltip).to_contain_text("Connect:")

    await page.click(".legend-item[data-series=dnsResolutionMs]")
    await expect(chart.locator("path.s-dns")).to_have_count(0)

    await chart.focus()
    await page.keyboard.press("End")
    await expect(page.locator("#chart-point")).to_contain_text("Total:")


async def test_the_7_and_30_day_windows_load(kairos: Running, pages: Pages) -> None:
    rid = await _seeded(kairos)
    page = await pages.open(f"/resources/{rid}")
    await expect(page.locator("#chart path.s-total")).to_have_count(1)
    day_count = int(await page.locator("#chart").get_attribute("data-count") or 0)
    for hours in (168, 720):
        await page.click(f"[data-hours='{hours}']")
        await expect(page.locator("#latency")).to_have_attribute("data-hours-loaded", str(hours))
        await expect(page.locator(f"[data-hours='{hours}']")).to_have_attribute("aria-pressed", "true")
        count = int(await page.locator("#chart").get_attribute("data-count") or 0)
        assert 0 < count <= 500
    assert count != day_count  # the 30-day window has the daily checks too


async def test_the_history_filter_shows_only_the_chosen_status(kairos: Running, pages: Pages) -> None:
    rid = await _seeded(kairos)
    page = await pages.open(f"/resources/{rid}")
    await page.select_option("#f-status", "NOT_AVAILABLE")
    await page.click(".history-filter button[type=submit]")
    await page.wait_for_url("**status=NOT_AVAILABLE**")
    rows = page.locator("#history-table tbody tr")
    await expect(rows).to_have_count(6)
    for status in await rows.evaluate_all("rows => rows.map(r => r.dataset.status)"):
        assert status == "NOT_AVAILABLE"
    await page.click("#history .filter-actions a")
    await expect(rows).to_have_count(50)
