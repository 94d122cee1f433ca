"""The console's maintenance pages over plain HTTP: the form (times read in the window's zone, errors beside their
fields), the list with "end now", delete; the dashboard block for visitors."""

from __future__ import annotations

import re

import httpx

from tests.api.loopback import Target
from tests.harness import Running
from tests.maintenance.conftest import made, one_off, resource
from tests.web.pages import add_user, admin_browser, post_form, sign_in

NEW = "/admin/maintenance/new"


def _error_beside(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', html)
    assert match, f"no error beside {field}"
    return match.group(1)


async def test_an_admin_creates_a_weekly_window_for_a_group_read_in_its_time_zone(
    kairos: Running, target: Target
) -> None:
    group = (await kairos.client.post("/api/groups", json={"name": "db"})).json()
    form: dict[str, str | list[str]] = {
        "title": "Patch Tuesday", "timezone": "America/New_York", "schedule": "WEEKLY",
        "starts_at": "2026-03-01T00:00", "weekdays": ["TUE", "THU"], "start_time": "22:00",
        "duration_minutes": "90", "scope": "groups", "group_ids": [str(group["id"])],
    }  # fmt: skip
    async with admin_browser(kairos) as browser:
        r = await post_form(browser, NEW, form)
        assert r.status_code == 303, r.text
        listing = await browser.get(r.headers["location"])
        assert "The window was saved." in listing.text and "Patch Tuesday" in listing.text
        (w,) = (await kairos.client.get("/api/maintenance-windows")).json()
        assert w["startsAt"] == "2026-03-01T05:00:00Z"  # midnight in New York (EST)
        assert (w["weekdays"], w["startTime"], w["scope"], w["scopeIds"]) == (["TUE", "THU"], "22:00", "groups",
                                                                              [group["id"]])  # fmt: skip
        edit = await browser.get(f"/admin/maintenance/{w['id']}/edit")
        assert 'value="2026-03-01T00:00"' in edit.text  # shown back in its zone


async def test_the_form_shows_each_error_beside_its_field(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        once = {"title": "x", "schedule": "ONCE", "starts_at": "2026-05-01T10:00", "ends_at": "2026-05-01T09:00"}
        r = await post_form(browser, NEW, once | {"timezone": "UTC"})
        assert r.status_code == 422 and _error_beside(r.text, "endsAt") == "endsAt must be after startsAt"
        r = await post_form(browser, NEW, once | {"timezone": "Mars/Olympus", "ends_at": "2026-05-01T11:00"})
        assert r.status_code == 422 and "unknown time zone" in _error_beside(r.text, "timezone")
        cron = {"title": "x", "schedule": "CRON", "starts_at": "2026-05-01T10:00", "cron": "nope",
                "duration_minutes": "5", "timezone": "UTC"}  # fmt: skip
        r = await post_form(browser, NEW, cron)
        assert r.status_code == 422 and "five-field" in _error_beside(r.text, "cron")
        assert 'value="nope"' in r.text  # what was typed comes back
    assert (await kairos.client.get("/api/maintenance-windows")).json() == []


async def test_an_admin_ends_a_window_now_and_deletes_another(kairos: Running) -> None:
    on = await made(kairos.client, one_off("now"))
    later = await made(kairos.client, one_off("later", start_min=60, end_min=90))
    async with admin_browser(kairos) as browser:
        listing = await browser.get("/admin/maintenance")
        assert f'action="/admin/maintenance/{on["id"]}/end"' in listing.text
        assert f'action="/admin/maintenance/{later["id"]}/end"' not in listing.text  # nothing to end yet
        r = await post_form(browser, f"/admin/maintenance/{on['id']}/end", {}, page="/admin/maintenance")
        assert r.status_code == 303 and r.headers["location"] == "/admin/maintenance?ended=1"
        again = await post_form(browser, f"/admin/maintenance/{on['id']}/end", {}, page="/admin/maintenance")
        assert again.status_code == 409
        url = f"/admin/maintenance/{later['id']}/delete"
        assert (await post_form(browser, url, {})).status_code == 303
    left = (await kairos.client.get("/api/maintenance-windows")).json()
    assert [(w["id"], w["active"]) for w in left] == [(on["id"], False)]


async def test_a_user_sees_the_list_but_not_the_form(kairos: Running) -> None:
    await made(kairos.client, one_off("visible"))
    await add_user(kairos, "viewer@example.com", "viewer-password-1")
    async with httpx.AsyncClient(base_url=kairos.url, timeout=30) as browser:
        await sign_in(browser, "viewer@example.com", "viewer-password-1")
        listing = await browser.get("/admin/maintenance")
        assert listing.status_code == 200 and "visible" in listing.text and "End now" not in listing.text
        assert (await browser.get(NEW)).status_code == 403


async def test_the_dashboard_shows_windows_on_now_and_within_a_week_to_those_who_may_see_them(
    kairos: Running, target: Target
) -> None:
    c = kairos.client
    hidden = (await c.post("/api/groups", json={"name": "internal", "visibility": "HIDDEN"})).json()
    await made(c, one_off("<b>Database</b> upgrade", description="Expect <i>slowness</i>."))
    await made(c, one_off("Network work", start_min=60 * 24 * 2, end_min=60 * 24 * 2 + 30))
    await made(c, one_off("Far away", start_min=60 * 24 * 9, end_min=60 * 24 * 9 + 30))
    await made(c, one_off("Internal only", scope="groups", scopeIds=[hidden["id"]]))
    await resource(c, target, "db", active=False)
    page = (await kairos.anon.get("/")).text
    block = page[page.index('id="dash-maintenance"') : page.index('id="dash-board"')]
    assert "Maintenance now: &lt;b&gt;Database&lt;/b&gt; upgrade" in block  # escaped, never markup
    assert "Expect &lt;i&gt;slowness&lt;/i&gt;." in block
    assert "Planned maintenance: Network work" in block
    assert "Far away" not in block and "Internal only" not in block
    assert block.index("Database") < block.index("Network work")
