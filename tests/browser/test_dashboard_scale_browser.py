"""The status board above its collapse threshold (lowered to 20) in Chromium: the counts, problems first,
collapsed groups that load when opened and stay open, the server-side filter, live rows and counts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from kairos.probes.base import Status
from kairos.scheduler.state import RuntimeState
from tests.api.support import create_resource, wait_for_status
from tests.browser.conftest import Pages
from tests.browser.test_dashboard_browser import Switchable, switchable
from tests.harness import Running, make_settings, running_kairos
from tests.web.console_seed import seed
from tests.web.test_dashboard import group

__all__ = ["switchable"]  # the fixture


@pytest.fixture
async def kairos(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async with running_kairos(make_settings(db_url, tmp_path, dashboard_collapse_above=20)) as running:
        yield running


async def _board(pages: Pages) -> tuple[int, int, list[int], list[int]]:
    """Groups Web (30 members, the 5th in an outage) and Databases (10): 40 resources, above the threshold."""
    kairos = pages.kairos
    web = await group(kairos, "Web")
    db = await group(kairos, "Databases")
    web_ids = await seed(kairos, [f"web-{i}" for i in range(30)], group=web)
    db_ids = await seed(kairos, [f"db-{i}" for i in range(10)], group=db)
    kairos.runtime.board.put(web_ids[4], RuntimeState(status=Status.NOT_AVAILABLE, fail_streak=1))
    return web, db, web_ids, db_ids


async def test_counts_and_problems_come_first_and_a_group_loads_when_opened(pages: Pages) -> None:
    web, db, web_ids, _db_ids = await _board(pages)
    page = await pages.open("/")
    await expect(page.locator("#dash-counts")).to_have_text(
        "40 resources · 0 available · 1 not available (1 failing) · 39 unknown"
    )
    await expect(page.locator("#grp-problems li.r")).to_have_count(1)
    await expect(page.locator(f'#grp-problems li.r[data-id="{web_ids[4]}"] .fl')).to_have_text("failing, 1 of 3")
    web_rows = page.locator(f'.grp[data-gid="{web}"] li.r')
    await expect(web_rows).to_have_count(0)
    toggle = page.locator(f'.grp[data-gid="{web}"] .grp-toggle')
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await toggle.click()
    await expect(web_rows).to_have_count(30)
    await expect(web_rows.first.locator(".tl span")).to_have_count(96)  # drawn like any row
    await expect(page.locator(f'.grp[data-gid="{db}"] li.r')).to_have_count(0)
    # Remembered: a reload opens it again (and its rows load again).
    await page.reload()
    await expect(web_rows).to_have_count(30)
    await page.locator(f'.grp[data-gid="{web}"] .grp-toggle').click()
    await expect(web_rows).to_have_count(0)


async def test_search_and_status_filter_are_answered_by_the_server(pages: Pages) -> None:
    web, _db, web_ids, _db_ids = await _board(pages)
    page = await pages.open("/")
    async with page.expect_response(re.compile(r"/\?q=web-2")) as answered:
        await page.fill("#dash-search", "web-2")
    assert (await answered.value).ok
    shown = page.locator("#dash-board li.r")
    await expect(shown).to_have_count(11)  # web-2, web-20 … web-29: the server sent just these
    assert page.url.endswith("/?q=web-2")
    await page.fill("#dash-search", "")
    await page.select_option("#dash-filter", "failing")
    await expect(shown).to_have_count(1)
    await expect(page.locator(f'li.r[data-id="{web_ids[4]}"]')).to_have_count(1)
    await page.select_option("#dash-filter", "all")
    await expect(page.locator(f'.grp[data-gid="{web}"]')).to_have_class(re.compile(r"\bcollapsed\b"))


async def test_an_open_groups_row_and_the_counts_change_live(pages: Pages, switchable: Switchable) -> None:
    kairos = pages.kairos
    web, _db, _web_ids, _db_ids = await _board(pages)
    rid = (await create_resource(kairos, switchable.url, name="shop", groupIds=[web]))["id"]
    await wait_for_status(kairos, rid, "available")
    page = await pages.open("/")
    await page.locator(f'.grp[data-gid="{web}"] .grp-toggle').click()
    row = page.locator(f'.grp[data-gid="{web}"] li.r[data-id="{rid}"]')
    await expect(row.locator(".dot")).to_have_class("dot available")
    await expect(page.locator("html")).to_have_attribute("data-live", "open")
    await page.evaluate("window.__sameDocument = true")
    switchable.failing = True
    await kairos.runtime.scheduler.check_now(rid)
    await expect(row.locator(".dot")).to_have_class("dot not-available")
    await expect(page.locator("#dash-counts")).to_have_text(
        "41 resources · 0 available · 2 not available (2 failing) · 39 unknown"
    )
    await expect(page.locator(f'.grp[data-gid="{web}"] .grp-counts')).to_contain_text("2 not available")
    assert await page.evaluate("window.__sameDocument") is True
