"""The console's fleet fields: a resource's locations and quorum on its form, a kind's quorum on the kinds page,
validated by the API's own rules and shown back as stored."""

from __future__ import annotations

import re

from kairos.probes.base import Kind
from tests.api.loopback import Target, target
from tests.api.support import create_resource
from tests.harness import Running
from tests.web.pages import admin_browser, post_form

__all__ = ["target"]

NEW = "/admin/resources/new?kind=HTTP"


def _form(url: str, **fields: str) -> dict[str, str]:
    return {"name": "web", "target": url, "active": "on", **fields}


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select id="[^"]*" name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no {name} select"
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen.group(1) if chosen else ""


async def test_locations_and_quorum_round_trip_through_the_form(kairos: Running, target: Target) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get(NEW)
        assert 'name="locations"' in page.text and _selected(page.text, "quorum") == ""
        r = await post_form(browser, NEW, _form(target.url("/"), locations="eu, us-east  ap", quorum="2"))
        assert r.status_code == 303, r.text
        rid = int(re.search(r"created=(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
        body = (await kairos.client.get(f"/api/resources/{rid}")).json()
        assert (body["locations"], body["quorum"]) == (["eu", "us-east", "ap"], "2")

        edit = await browser.get(f"/admin/resources/{rid}/edit")
        assert 'value="eu, us-east, ap"' in edit.text and _selected(edit.text, "quorum") == "2"
        url = f"/admin/resources/{rid}/edit"
        r = await post_form(browser, url, _form(target.url("/"), locations="", quorum="all"))
        assert r.status_code == 303, r.text
        body = (await kairos.client.get(f"/api/resources/{rid}")).json()
        assert (body["locations"], body["quorum"]) == (None, "all")
        r = await post_form(browser, url, _form(target.url("/"), locations="eu", quorum=""))
        body = (await kairos.client.get(f"/api/resources/{rid}")).json()
        assert (body["locations"], body["quorum"]) == (["eu"], None)


async def test_a_quorum_set_through_the_api_beyond_the_list_is_kept_by_an_edit(kairos: Running, target: Target) -> None:
    rid = (await create_resource(kairos, target.url("/"), quorum=40))["id"]
    async with admin_browser(kairos) as browser:
        edit = await browser.get(f"/admin/resources/{rid}/edit")
        assert _selected(edit.text, "quorum") == "40"


async def test_bad_locations_or_quorum_are_shown_next_to_their_field_and_kept(kairos: Running, target: Target) -> None:
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, NEW, _form(target.url("/"), locations="eu, EU West", quorum="most"))
        assert r.status_code == 422
        assert 'id="locations-error">must be 1 to 32 lower-case letters' in r.text
        assert 'id="quorum-error">quorum must be any, majority, all or a number' in r.text
        assert 'value="eu, EU West"' in r.text
        r = await post_form(browser, NEW, _form(target.url("/"), locations="eu, us, eu"), page=NEW)
        assert r.status_code == 422 and 'id="locations-error">lists &#39;eu&#39; twice' in r.text
    assert (await kairos.client.get("/api/resources")).json() == []


async def test_a_kinds_quorum_is_saved_from_the_kinds_page(kairos: Running) -> None:
    valid = {
        "intervalSeconds": "60",
        "timeoutSeconds": "10",
        "parallelism": "5",
        "outageThreshold": "3",
        "recoveryThreshold": "2",
    }
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/resource-types")
        assert 'id="http-quorum"' in page.text
        r = await post_form(browser, "/admin/resource-types/HTTP", {**valid, "quorum": "any"}, "/admin/resource-types")
        assert r.status_code == 303, r.text
        shown = (await browser.get(r.headers["location"])).text
        http_form = shown[shown.index('id="form-http"') : shown.index('id="form-tcp"')]
        assert _selected(http_form, "quorum") == "any"
        assert kairos.runtime.scheduler.types[Kind.HTTP].quorum == "any"
        r = await post_form(browser, "/admin/resource-types/HTTP", {**valid, "quorum": "none"}, "/admin/resource-types")
        assert r.status_code == 422 and 'id="http-quorum-error"' in r.text
    assert kairos.runtime.scheduler.types[Kind.HTTP].quorum == "any"
