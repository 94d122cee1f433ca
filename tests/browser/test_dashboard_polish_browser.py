"""The status board as a new user meets it: cards that never hide the current state (desktop and phone width),
the heartbeat view, amber "failing, 1 of 3" before an outage, and an empty board that says what to do."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.api.support import create_resource, wait_for_status
from tests.browser.conftest import Pages
from tests.browser.test_dashboard_browser import Switchable, live, switchable

__all__ = ["switchable"]  # the fixture

LONG_PATH = "/" + "a-very-long-path-segment/" * 8 + "health?check=full&region=eu-west-1"

# Where the newest timeline block, the heartbeat's newest mark and the LATENCY cell lie within their card.
_BOXES = """(id) => {
  const li = document.querySelector(`li.r[data-id="${id}"]`), card = li.getBoundingClientRect();
  const box = (sel) => { const el = li.querySelector(sel); if (!el) return null;
    const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width}; };
  return {card: {left: card.left, right: card.right}, block: box(".tl > span:last-child"),
          mark: box(".hb > span:last-child"), latency: box(".l"), since: box(".o")};
}"""


def inside(part: dict[str, float], card: dict[str, float]) -> bool:
    return part["width"] > 0 and part["left"] >= card["left"] - 0.5 and part["right"] <= card["right"] + 0.5


async def down_with_a_long_target(pages: Pages, target: Switchable) -> int:
    """A resource with a long address, in an outage (so the card also carries "down since …")."""
    target.failing = True
    rid = (await create_resource(pages.kairos, target.url.rstrip("/") + LONG_PATH, name="shop", outageThreshold=1))[
        "id"
    ]
    await wait_for_status(pages.kairos, rid, "not-available")
    return int(rid)


async def choose(page: Page, view: str) -> None:
    await page.click(f'.dash-views [data-view="{view}"]')
    await expect(page.locator(f'.dash-views [data-view="{view}"]')).to_have_attribute("aria-pressed", "true")


async def test_a_card_with_a_long_address_and_an_outage_shows_its_newest_block_and_latency(
    pages: Pages, switchable: Switchable
) -> None:
    rid = await down_with_a_long_target(pages, switchable)
    page = await live(pages)
    await choose(page, "cards")
    for width in (1280, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        await expect(page.locator(f'li.r[data-id="{rid}"] .o')).to_contain_text("down since")
        await expect(page.locator(f'li.r[data-id="{rid}"] .tl > span:last-child')).to_have_class("n")
        boxes = await page.evaluate(_BOXES, rid)
        for part in ("block", "latency", "since"):
            assert inside(boxes[part], boxes["card"]), (width, part, boxes)
        # The whole address stays readable on hover.
        assert (
            await page.locator(f'li.r[data-id="{rid}"] .t').get_attribute("title")
            == switchable.url.rstrip("/") + LONG_PATH
        )


async def test_the_heartbeat_view_draws_each_check_live_and_is_remembered(pages: Pages, switchable: Switchable) -> None:
    kairos = pages.kairos
    rid = (await create_resource(kairos, switchable.url, name="api"))["id"]
    await wait_for_status(kairos, rid, "available")
    page = await live(pages)
    await choose(page, "heartbeat")
    marks = page.locator(f'li.r[data-id="{rid}"] .hb > span')
    await expect(marks).to_have_count(60)
    await expect(page.locator(f'li.r[data-id="{rid}"] .tl')).to_be_hidden()
    await expect(marks.last).to_have_class("a")
    filled = page.locator(f'li.r[data-id="{rid}"] .hb > span:not(.e)')
    before = await filled.count()
    switchable.failing = True
    await kairos.runtime.scheduler.check_now(rid)  # arrives through the live stream, no reload
    await expect(filled).to_have_count(before + 1)
    await expect(marks.last).to_have_class("n")
    assert await page.evaluate("window.__sameDocument") is True
    # Each mark says when, what and why, on hover.
    await marks.last.hover()
    await expect(marks.last).to_have_attribute("title", re.compile(r"Not available .* \(HTTP 500\)$"))
    # At phone width the bar shrinks with the row: its newest mark stays in view.
    await page.set_viewport_size({"width": 390, "height": 844})
    boxes = await page.evaluate(_BOXES, rid)
    assert inside(boxes["mark"], boxes["card"]), boxes
    # The choice is remembered.
    await page.reload()
    await expect(page.locator('.dash-views [data-view="heartbeat"]')).to_have_attribute("aria-pressed", "true")
    await expect(page.locator(f'li.r[data-id="{rid}"] .hb > span:not(.e)')).to_have_count(before + 1)


async def test_a_first_failure_shows_amber_failing_1_of_3_at_once(pages: Pages, switchable: Switchable) -> None:
    kairos = pages.kairos
    rid = (await create_resource(kairos, switchable.url, name="web"))["id"]
    await wait_for_status(kairos, rid, "available")
    page = await live(pages)
    row = page.locator(f'li.r[data-id="{rid}"]')
    await expect(row.locator(".fl")).to_have_count(0)
    switchable.failing = True
    await kairos.runtime.scheduler.check_now(rid)
    await expect(row.locator(".fl")).to_have_text("failing, 1 of 3")
    await expect(row).to_have_class("r failing")
    warn = await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--warn').trim()")
    dot_colour = await row.locator(".dot").evaluate("el => getComputedStyle(el).backgroundColor")
    probe = await page.evaluate(
        "(c) => { const s = document.createElement('span'); s.style.color = c; document.body.appendChild(s);"
        " const v = getComputedStyle(s).color; s.remove(); return v; }",
        warn,
    )
    assert dot_colour == probe
    await kairos.runtime.scheduler.check_now(rid)
    await expect(row.locator(".fl")).to_have_text("failing, 2 of 3")
    await kairos.runtime.scheduler.check_now(rid)  # the threshold: an outage, no longer "failing"
    await expect(row.locator(".o")).to_contain_text("down since")
    await expect(row.locator(".fl")).to_have_count(0)
    switchable.failing = False
    await kairos.runtime.scheduler.check_now(rid)
    await expect(row.locator(".fl")).to_have_count(0)


async def test_an_empty_board_explains_itself_to_visitors_and_offers_admins_the_add_form(pages: Pages) -> None:
    page = await pages.open("/")
    empty = page.locator(".dash-empty")
    await expect(empty).to_contain_text("No resource has been made public here")
    await expect(empty.locator('a[href="/login"]')).to_have_text("sign in")
    await expect(empty.locator("text=Add a resource")).to_have_count(0)
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/")
    await page.click("text=Add a resource")
    await page.wait_for_url("**/admin/resources/new")
    await expect(page.locator("form")).not_to_have_count(0)
