"""Headings in an announcement, as Chromium draws them on the dashboard and the announcements page: they step
down from the largest, and the smallest is never smaller than the body text ("###" used to be)."""

from __future__ import annotations

from playwright.async_api import Page

from tests.browser.conftest import Pages

CONTENT = "# One\n\n## Two\n\n### Three\n\n#### Four\n\nThe body text."
SIZES = """(box) => {
  const px = (sel) => parseFloat(getComputedStyle(box.querySelector(sel)).fontSize);
  return [px("h3"), px("h4"), px("h5"), px("h6"), px("p")];
}"""


async def _sizes(page: Page, container: str) -> list[float]:
    box = page.locator(container).first
    await box.locator("h5").wait_for()
    sizes: list[float] = await box.evaluate(SIZES)
    return sizes


async def test_announcement_headings_step_down_but_never_below_the_body_text(pages: Pages) -> None:
    r = await pages.kairos.client.post("/api/announcements", json={"content": CONTENT, "kind": "INFORMATION"})
    assert r.status_code == 201, r.text
    dashboard = await pages.open("/")
    listing = await pages.open("/announcements")
    for page, container in ((dashboard, ".dash-announcement"), (listing, ".announcement-body")):
        h3, h4, h5, h6, body = await _sizes(page, container)
        assert h3 > h4 > h5 >= h6 >= body, (container, h3, h4, h5, h6, body)
        assert h3 <= body * 1.5, container  # a notice, not a page title
