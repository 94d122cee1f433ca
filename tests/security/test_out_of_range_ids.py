"""Ids no row can have (past 2**63, negative, zero) are "not found" on every route: a 404 page on the pages, a
JSON 404 on the API; never the anonymous 500 that SQLite's OverflowError used to give."""

from __future__ import annotations

import pytest

from tests.harness import Running
from tests.web.pages import admin_browser

HUGE = "9223372036854775808"


@pytest.mark.parametrize(
    "path",
    [
        f"/groups/{HUGE}",
        f"/embed/resources/{HUGE}",
        f"/embed/groups/{HUGE}",
        f"/resources/{HUGE}",
        "/groups/-1",
        "/groups/abc",
    ],
)
async def test_a_page_with_an_impossible_id_is_the_404_page(kairos: Running, path: str) -> None:
    r = await kairos.anon.get(path)
    assert r.status_code == 404, r.text
    assert r.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "path", [f"/badges/resources/{HUGE}.svg", f"/badges/resources/{HUGE}/cert.svg", f"/badges/groups/{HUGE}.svg"]
)
async def test_a_badge_with_an_impossible_id_is_the_unknown_badge(kairos: Running, path: str) -> None:
    r = await kairos.anon.get(path)
    assert r.status_code == 404, r.text
    assert r.headers["content-type"].startswith("image/svg+xml") and ">unknown</text>" in r.text  # docs/dashboard.md


@pytest.mark.parametrize(
    "path",
    [
        f"/api/groups/{HUGE}/resources",
        f"/api/resources/{HUGE}/uptime",
        f"/api/resources/{HUGE}/history",
        f"/api/resources/{HUGE}/outages",
        f"/api/announcements/{HUGE}",
        f"/api/users/{HUGE}",
        "/api/resources/-9223372036854775809",
    ],
)
async def test_an_api_path_with_an_impossible_id_is_a_json_404(kairos: Running, path: str) -> None:
    r = await kairos.client.get(path)
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", [f"/admin/resources/{HUGE}/edit", f"/admin/resources/{HUGE}/delete"])
async def test_a_console_page_with_an_impossible_id_is_the_404_page_for_an_admin(kairos: Running, path: str) -> None:
    async with admin_browser(kairos) as browser:
        r = await browser.get(path)
    assert r.status_code == 404, r.text
    assert r.headers["content-type"].startswith("text/html")
