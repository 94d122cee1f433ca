"""The status board in a real browser: live updates without reloads, outages, tooltips, views and filters.
(The ``pages`` fixture fails any test whose page asks a host other than the server.)"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Locator, Page, expect

from tests.api.support import create_resource, wait_for_status
from tests.browser.conftest import Pages
from tests.harness import Running


@dataclass
class Switchable:
    """A loopback HTTP target that answers 200 or 500, as the test says."""

    url: str
    failing: bool = False


@pytest.fixture
async def switchable() -> AsyncIterator[Switchable]:
    target = Switchable("")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while (await reader.readline()).strip():
                pass
            status = "500 Internal Server Error" if target.failing else "200 OK"
            writer.write(f"HTTP/1.1 {status}\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n".encode())
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    target.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    async with server:
        yield target


async def live(pages: Pages, path: str = "/") -> Page:
    page = await pages.open(path)
    await expect(page.locator("html")).to_have_attribute("data-live", "open")
    await page.evaluate("window.__sameDocument = true")  # gone if the page were reloaded
    return page


def dot(page: Page, rid: int) -> Locator:
    return page.locator(f'li.r[data-id="{rid}"] .dot').first


async def test_a_resource_turns_available_without_a_reload(pages: Pages, switchable: Switchable) -> None:
    kairos: Running = pages.kairos
    switchable.failing = True
    rid = (await create_resource(kairos, switchable.url, name="shop"))["id"]
    await wait_for_status(kairos, rid, "not-available")
    page = await live(pages)
    await expect(dot(page, rid)).to_have_class("dot not-available")
    switchable.failing = False
    await kairos.runtime.scheduler.check_now(rid)
    await expect(dot(page, rid)).to_have_class("dot available")
    await expect(page.locator("#dash-summary")).to_have_text("All systems operational")
    assert await page.evaluate("window.__sameDocument") is True


async def test_a_resource_created_while_the_board_is_open_shows_up(pages: Pages, switchable: Switchable) -> None:
    page = await live(pages)
    rid = (await create_resource(pages.kairos, switchable.url, name="new-one"))["id"]
    await expect(dot(page, rid)).to_have_class("dot available")
    assert await page.evaluate("window.__sameDocument") is True


async def test_a_failing_target_turns_red_and_shows_since_when(pages: Pages, switchable: Switchable) -> None:
    kairos = pages.kairos
    r = await kairos.client.put("/api/resource-types/HTTP", json={"outageThreshold": 2})
    assert r.status_code == 200, r.text
    rid = (await create_resource(kairos, switchable.url, name="api"))["id"]
    await wait_for_status(kairos, rid, "available")
    page = await live(pages)
    switchable.failing = True
    await kairos.runtime.scheduler.check_now(rid)
    await expect(dot(page, rid)).to_have_class("dot not-available")
    outage = page.locator(f'li.r[data-id="{rid}"] .o')
    await expect(outage).to_have_count(0)  # one failure: below the threshold
    await kairos.runtime.scheduler.check_now(rid)
    await expect(outage).to_contain_text(re.compile(r"down since .* \u00b7 \d+m \d+s"))
    await expect(page.locator("#dash-summary")).to_have_text("1 resource not available")
    await expect(page.locator(f'li.r[data-id="{rid}"] .tl span').last).to_have_class("n")


async def test_the_timeline_tooltip_shows_counts_on_hover_and_keyboard_focus(
    pages: Pages, switchable: Switchable
) -> None:
    kairos = pages.kairos
    rid = (await create_resource(kairos, switchable.url, name="tips"))["id"]
    await wait_for_status(kairos, rid, "available")
    await kairos.runtime.scheduler.check_now(rid)
    page = await pages.open("/")
    tip = page.locator("#dash-tip")
    last = page.locator(f'li.r[data-id="{rid}"] .tl span').last
    await last.hover()
    await expect(tip).to_be_visible()
    await expect(tip).to_contain_text(re.compile(r"Available\s*2"))
    await expect(tip).to_contain_text("Average latency")
    await page.mouse.move(0, 0)
    await expect(tip).to_be_hidden()
    await page.locator(f'li.r[data-id="{rid}"] .tl').focus()
    await expect(tip).to_be_visible()
    await expect(tip).to_contain_text(re.compile(r"Available\s*2"))
    await page.keyboard.press("ArrowLeft")
    await expect(tip).to_contain_text("No data")
    await expect(tip).to_contain_text(re.compile(r"Checks\s*0"))


async def test_the_view_choice_survives_a_reload_and_search_filters_rows(pages: Pages) -> None:
    kairos = pages.kairos
    for name in ("alpha", "beta", "gamma"):
        await kairos.client.post(
            "/api/resources", json={"name": name, "resourceType": "TCP", "target": "127.0.0.1:9", "active": False}
        )
    page = await pages.open("/")
    board = page.locator("#dash-board")
    await page.click('button[data-view="cards"]')
    await expect(board).to_have_class(re.compile(r"\bview-cards\b"))
    await page.reload()
    await expect(board).to_have_class(re.compile(r"\bview-cards\b"))
    await expect(page.locator('button[data-view="cards"]')).to_have_attribute("aria-pressed", "true")
    await page.fill("#dash-search", "alp")
    await expect(page.locator("li.r:visible")).to_have_count(1)
    await expect(page.locator("li.r:visible .n")).to_have_text("alpha")
    await page.fill("#dash-search", "")
    await page.select_option("#dash-filter", "available")
    await expect(page.locator("li.r:visible")).to_have_count(0)
    await expect(page.locator(".grp-empty:visible")).to_have_count(1)
    await page.select_option("#dash-filter", "unknown")
    await expect(page.locator("li.r:visible")).to_have_count(3)


async def test_a_group_can_be_collapsed_and_stays_collapsed(pages: Pages) -> None:
    kairos = pages.kairos
    gid = (await kairos.client.post("/api/groups", json={"name": "Web"})).json()["id"]
    await kairos.client.post(
        "/api/resources",
        json={"name": "site", "resourceType": "TCP", "target": "127.0.0.1:9", "active": False, "groupIds": [gid]},
    )
    page = await pages.open("/")
    toggle = page.locator(f'.grp[data-gid="{gid}"] .grp-toggle')
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await expect(page.locator("li.r:visible")).to_have_count(0)
    await page.reload()
    await expect(toggle).to_have_attribute("aria-expanded", "false")
