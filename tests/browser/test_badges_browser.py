"""A badge of an unknown resource draws in Chromium as an image (the grey "unknown" SVG answered with 404),
not as a broken-image icon, like the badge of a known one."""

from __future__ import annotations

from tests.browser.conftest import Pages
from tests.web.resource_seed import add_resource

DRAWN = """async (src) => {
  const img = new Image();
  img.src = src;
  try { await img.decode(); } catch (e) { return [0, 0]; }
  return [img.naturalWidth, img.naturalHeight];
}"""


async def test_badges_of_unknown_rows_draw_as_images(pages: Pages) -> None:
    rid = await add_resource(pages.kairos, "shop")
    page = await pages.open("/")
    pages.expect_failures = True  # the unknown badges answer 404 on purpose
    for src in (f"/badges/resources/{rid}.svg", "/badges/resources/999999.svg", "/badges/groups/999999.svg"):
        width, height = await page.evaluate(DRAWN, src)
        assert width > 40 and height == 20, src
    width, _ = await page.evaluate(DRAWN, "/favicon-that-is-not-there.svg")
    assert width == 0  # the check above would notice a broken image
