"""The page scripts follow the site's display time zone and decimals, not the browser's zone: a browser in New
York shows a Berlin site's "down since", timeline tooltips and latency chart in Berlin time, named CET/CEST."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import Pages
from tests.harness import Running
from tests.web.resource_seed import add_resource, down, seed_checks, set_state

BERLIN = ZoneInfo("Europe/Berlin")
SUMMER = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST, just after the change from CET


@pytest.fixture
async def new_york(browser: Browser, kairos: Running) -> AsyncIterator[Pages]:
    """Pages opened by a browser whose own zone is America/New_York."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="America/New_York")
    context.set_default_timeout(15_000)
    watcher = Pages(context, kairos)
    yield watcher
    await context.close()
    assert watcher.foreign == [], f"requests left the server: {watcher.foreign}"
    assert watcher.console_errors == [], f"errors in the browser console: {watcher.console_errors}"


async def _berlin(kairos: Running, decimals: int = 2) -> None:
    r = await kairos.client.put("/api/settings", json={"timeZone": "Europe/Berlin", "availabilityDecimals": decimals})
    assert r.status_code == 200, r.text


async def test_down_since_and_the_timeline_tooltip_are_in_the_sites_zone(new_york: Pages) -> None:
    kairos = new_york.kairos
    await _berlin(kairos)
    rid = await add_resource(kairos, "Queue")
    [last] = await seed_checks(kairos, rid, 1, timedelta(minutes=1), down, end=SUMMER)
    set_state(kairos, rid, last, outage_since=SUMMER, fail_streak=3)
    page = await new_york.open("/")
    since = page.locator(f'li.r[data-id="{rid}"] .o').first
    # The script rewrites the server's text every second; New York would say 2026-03-28 21:30 EDT.
    await expect(since).to_have_text(re.compile(r"^down since 2026-03-29 03:30 CEST · \d+d \d+h$"))

    edge = await page.evaluate("JSON.parse(document.getElementById('dash-data').textContent).edge")
    start = datetime.fromtimestamp(edge, UTC)
    await page.locator(f'li.r[data-id="{rid}"] .tl').first.focus()  # the keyboard opens the newest block
    head = page.locator("#dash-tip .dash-tip-time")
    end = (start + timedelta(minutes=15)).astimezone(BERLIN)
    local_start = start.astimezone(BERLIN)
    expected = f"{local_start:%Y-%m-%d %H:%M} \u2013 {end:%H:%M} {local_start.tzname()}"
    await expect(head).to_have_text(expected)


async def test_the_latency_chart_names_the_sites_zone_and_percentages_use_its_decimals(new_york: Pages) -> None:
    kairos = new_york.kairos
    await _berlin(kairos, decimals=3)
    rid = await add_resource(kairos, "Shop")
    now = datetime.now(UTC)
    results = await seed_checks(kairos, rid, 12, timedelta(minutes=5), end=now)
    set_state(kairos, rid, results[-1])
    page = await new_york.open(f"/resources/{rid}")
    # "<from> to <to> CET" (an en dash between): the window ends now, in Berlin time and named (New York: EST).
    zone = now.astimezone(BERLIN).tzname()
    chart_range = page.locator("#chart-range")
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d"
    await expect(chart_range).to_have_text(re.compile(rf"^{stamp} \u2013 {stamp} {zone}$"))
    shown_end = (await chart_range.text_content() or "").split(" \u2013 ")[1][:16]
    ends = {f"{(now + timedelta(minutes=m)).astimezone(BERLIN):%Y-%m-%d %H:%M}" for m in (0, 1)}
    assert shown_end in ends
    assert await page.evaluate("[Kairos.fmt.pct(200 / 3), Kairos.fmt.pct(99.9999), Kairos.fmt.pct(100)]") == [
        "66.667 %",
        "99.999 %",
        "100 %",
    ]
    assert await page.evaluate("Kairos.fmt.when(Date.UTC(2026, 0, 15, 12, 0), true)") == "2026-01-15 13:00:00 CET"
