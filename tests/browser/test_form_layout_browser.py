"""The add-resource form at desktop width, measured in Chromium: the one-line controls of a row are equally
tall (a row no longer stretches its fields to its tallest neighbour), and the credential select shows its
choice in full."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from tests.browser.conftest import Pages

# Each one-line control (text-like input or select) of every form-grid: its grid, the top of its field (fields
# of one grid row share it), its id and its height.
_CONTROLS = """() => [...document.querySelectorAll('.form-grid')].flatMap((grid, g) =>
  [...grid.querySelectorAll(':scope > .field')].flatMap(field => {
    const c = field.querySelector(':scope > input:not([type=checkbox]):not([type=radio]), :scope > select');
    return c ? [{grid: g, row: Math.round(field.getBoundingClientRect().top), id: c.id,
                 height: c.getBoundingClientRect().height}] : [];
  }))"""

# The credential select's chosen text against the room inside it: the text's width in the select's own font,
# and the width left between its paddings (less the arrow's room).
_SELECT_FIT = """(id) => {
  const s = document.getElementById(id), css = getComputedStyle(s);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${css.fontWeight} ${css.fontSize} ${css.fontFamily}`;
  return {text: s.options[s.selectedIndex].text, textWidth: ctx.measureText(s.options[s.selectedIndex].text).width,
          room: s.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight) - 20,
          scrollWidth: s.scrollWidth, clientWidth: s.clientWidth};
}"""


async def _add_form(pages: Pages) -> Page:
    page = await pages.open("/login")
    await pages.sign_in_as_admin(page)
    await page.goto(pages.kairos.url + "/admin/resources/new?kind=HTTP")
    return page


def _rows(controls: list[dict[str, Any]]) -> dict[tuple[int, int], list[dict[str, Any]]]:
    rows: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for c in controls:
        rows.setdefault((c["grid"], c["row"]), []).append(c)
    return rows


async def test_the_one_line_controls_of_a_row_are_equally_tall(pages: Pages) -> None:
    page = await _add_form(pages)
    controls: list[dict[str, Any]] = await page.evaluate(_CONTROLS)
    heights = {c["id"]: c["height"] for c in controls}
    # The rows the issue measured: Name beside Target (with its hint), Method and Maximum redirects beside
    # textareas and long hints.
    assert {"name", "target", "opt-method", "opt-maxRedirects", "quorum"} <= heights.keys(), heights
    shared = [row for row in _rows(controls).values() if len(row) > 1]
    assert len(shared) >= 3, controls
    for row in shared:
        tallest, lowest = max(c["height"] for c in row), min(c["height"] for c in row)
        assert tallest - lowest <= 2, row
    # and across rows: one height for every one-line control, the method select included
    assert max(heights.values()) - min(heights.values()) <= 2, heights


async def test_the_credential_select_shows_its_choice_in_full(pages: Pages) -> None:
    name = "Registry deploy bot (deploy-bot, registry.example.test/*)"
    r = await pages.kairos.client.post(
        "/api/credentials",
        json={"name": name, "pattern": "https://registry.example.test/*", "username": "deploy-bot", "password": "p"},
    )
    assert r.status_code == 201, r.text
    page = await _add_form(pages)
    for choice in ("", str(r.json()["id"])):  # the default "match by pattern" and the credential
        await page.select_option("#credentialId", choice)
        fit = await page.evaluate(_SELECT_FIT, "credentialId")
        assert fit["scrollWidth"] <= fit["clientWidth"], fit
        assert fit["textWidth"] <= fit["room"], fit
