"""The dashboard and the console filter by tag (``?tag=key:value``) and show each resource's tags."""

from __future__ import annotations

import re

from tests.harness import Running
from tests.web.pages import admin_browser

BASE = {"resourceType": "TCP", "target": "127.0.0.1:9", "active": False}


async def _seed(kairos: Running) -> tuple[int, int]:
    g = (await kairos.client.post("/api/groups", json={"name": "Shop"})).json()["id"]
    other = (await kairos.client.post("/api/groups", json={"name": "Internal"})).json()["id"]
    prod = await kairos.client.post(
        "/api/resources",
        json={
            "name": "prod-api",
            **BASE,
            "groupIds": [g],
            "tags": [{"key": "env", "value": "prod", "colour": "#22aa44"}],
        },
    )
    staging = await kairos.client.post(
        "/api/resources",
        json={"name": "staging-api", **BASE, "groupIds": [other], "tags": [{"key": "env", "value": "staging"}]},
    )
    return int(prod.json()["id"]), int(staging.json()["id"])


def _row_ids(body: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="r" data-id="(\d+)"', body)]


async def test_the_dashboard_shows_tags_and_filters_by_one(kairos: Running) -> None:
    prod, staging = await _seed(kairos)
    everything = (await kairos.anon.get("/")).text
    assert set(_row_ids(everything)) == {prod, staging}
    assert '<a class="tag" data-colour="#22aa44" href="/?tag=env%3Aprod">env:prod</a>' in everything
    filtered = await kairos.anon.get("/", params={"tag": "env:prod"})
    assert filtered.status_code == 200
    assert _row_ids(filtered.text) == [prod]
    assert "Internal" not in filtered.text  # a group left empty by the filter is not shown
    assert "Showing resources tagged <strong>env:prod</strong>" in filtered.text


async def test_a_malformed_tag_filter_on_the_dashboard_is_a_400_page(kairos: Running) -> None:
    r = await kairos.anon.get("/", params={"tag": "no-colon"})
    assert r.status_code == 400 and "key:value" in r.text


async def test_the_console_list_filters_by_tag(kairos: Running) -> None:
    prod, staging = await _seed(kairos)
    async with admin_browser(kairos) as admin:
        page = await admin.get("/admin/resources", params={"tag": "env:staging"})
    assert page.status_code == 200
    assert f"/admin/resources/{staging}/edit" in page.text and f"/admin/resources/{prod}/edit" not in page.text
    assert '<option value="env:staging" selected>env:staging</option>' in page.text
