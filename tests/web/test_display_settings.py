"""The display time zone and availability decimals: set in the console or the API, followed by every page,
badge and embed, while the API keeps UTC and full precision."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from kairos.db.models import Setting
from kairos.services.site import load_site
from tests.api.support import assert_error
from tests.harness import Running
from tests.web.pages import admin_browser, post_form
from tests.web.resource_seed import add_outage, add_resource, down, ok, reload_uptime, seed_checks, set_state

# Berlin moves from CET (+01:00) to CEST (+02:00) at 01:00 UTC on 2026-03-29.
WINTER = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
SUMMER = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST


async def _settings(kairos: Running, **body: object) -> dict[str, object]:
    r = await kairos.client.put("/api/settings", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_the_api_sets_and_reads_the_zone_and_the_decimals(kairos: Running) -> None:
    assert await _settings(kairos, timeZone="Europe/Berlin", availabilityDecimals=3) == {
        "title": "Kairos",
        "showTargets": True,
        "timeZone": "Europe/Berlin",
        "availabilityDecimals": 3,
    }
    assert (await kairos.anon.get("/api/settings")).json()["timeZone"] == "Europe/Berlin"
    async with kairos.runtime.sessionmaker() as session:
        stored = await load_site(session)
    assert (stored.time_zone, stored.availability_decimals) == ("Europe/Berlin", 3)


async def test_an_unknown_zone_or_decimals_out_of_range_are_refused_with_the_field(kairos: Running) -> None:
    put = kairos.client.put
    error = assert_error(await put("/api/settings", json={"timeZone": "Mars/Olympus"}), 422, "validation_error",
                         "timeZone")  # fmt: skip
    assert "unknown time zone 'Mars/Olympus'" in error["message"] and "IANA" in error["message"]
    error = assert_error(await put("/api/settings", json={"timeZone": "europe/berlin"}), 422, "validation_error",
                         "timeZone")  # fmt: skip
    assert "did you mean Europe/Berlin" in error["message"]
    for bad in ("../../etc/passwd", "/etc/localtime", "localtime", "", "x" * 65, "Europe/Berlin\x00"):
        assert_error(await put("/api/settings", json={"timeZone": bad}), 422, "validation_error", "timeZone")
    assert_error(await put("/api/settings", json={"timeZone": None}), 422, "validation_error", "timeZone")
    for bad_decimals in (-1, 5, 2.5, "two", None):
        r = await put("/api/settings", json={"availabilityDecimals": bad_decimals})
        assert_error(r, 422, "validation_error", "availabilityDecimals")
    assert (await kairos.anon.get("/api/settings")).json()["timeZone"] == "UTC"


async def test_a_stored_zone_the_host_no_longer_knows_falls_back_alone(kairos: Running) -> None:
    async with kairos.runtime.sessionmaker() as session:
        session.add(Setting(key="site", value={"title": "Ops", "timeZone": "Gone/Zone", "availabilityDecimals": 1}))
        await session.commit()
        site = await load_site(session)
    assert (site.title, site.time_zone, site.availability_decimals) == ("Ops", "UTC", 1)


async def test_pages_show_times_in_the_zone_with_its_abbreviation_across_dst(kairos: Running) -> None:
    await _settings(kairos, timeZone="Europe/Berlin")
    rid = await add_resource(kairos, "Shop")
    await add_outage(kairos, rid, WINTER, SUMMER)
    [last] = await seed_checks(kairos, rid, 1, timedelta(minutes=1), end=SUMMER)
    set_state(kairos, rid, last)
    outages = (await kairos.anon.get("/outages")).text
    assert "2026-03-29 01:30:00 CET" in outages and "2026-03-29 03:30:00 CEST" in outages
    assert 'datetime="2026-03-29T00:30:00Z"' in outages  # the machine-readable value stays UTC
    page = (await kairos.anon.get(f"/resources/{rid}")).text
    last_checked = page[page.index('id="last-checked"') :][:200]
    assert "2026-03-29 03:30:00 CEST" in last_checked
    assert "2026-03-29 01:30:00 CET" in page[page.index('id="resource-outages"') :]
    # The API keeps UTC.
    [api] = (await kairos.client.get("/api/outages", params={"resourceId": rid})).json()
    assert api["startDate"].startswith("2026-03-29T00:30:00")


async def test_a_zone_without_an_abbreviation_shows_its_offset(kairos: Running) -> None:
    await _settings(kairos, timeZone="America/Sao_Paulo")
    rid = await add_resource(kairos, "Loja")
    await add_outage(kairos, rid, WINTER, SUMMER)
    html = (await kairos.anon.get("/outages")).text
    assert "2026-03-28 21:30:00 UTC-03:00" in html


async def test_the_dashboard_shows_down_since_in_the_zone_and_hands_it_to_the_script(kairos: Running) -> None:
    await _settings(kairos, timeZone="Europe/Berlin")
    rid = await add_resource(kairos, "Queue")
    [last] = await seed_checks(kairos, rid, 1, timedelta(minutes=1), down, end=SUMMER)
    set_state(kairos, rid, last, outage_since=SUMMER, fail_streak=3)
    html = (await kairos.anon.get("/")).text
    assert "down since 2026-03-29 03:30:00 CEST" in html
    meta = re.search(r'<meta name="kairos-display" content="([^"]+)" data-abbr="([^"]+)" data-decimals="(\d)">', html)
    assert meta, "no display settings for the page scripts"
    assert meta.group(1) == "Europe/Berlin" and meta.group(3) == "2"
    assert json.loads(meta.group(2).replace("&#34;", '"')) == {"+01:00": "CET", "+02:00": "CEST"}


async def _two_of_three(kairos: Running, name: str) -> int:
    """A resource with 66.666… % availability in the last 24 hours."""
    rid = await add_resource(kairos, name)
    first_down = lambda at, i: down(at, i) if i == 0 else ok(at, i)  # noqa: E731
    results = await seed_checks(kairos, rid, 3, timedelta(minutes=5), first_down)
    set_state(kairos, rid, results[-1])
    await reload_uptime(kairos)
    return rid


def _badge_value(svg: str) -> str:
    return str(re.findall(r'transform="scale\(\.1\)">([^<]*)</text>', svg)[-1])


async def test_availability_shows_the_chosen_decimals_on_pages_badges_and_embeds(kairos: Running) -> None:
    rid = await _two_of_three(kairos, "Billing")
    for decimals, text in ((0, "67 %"), (2, "66.67 %"), (4, "66.6667 %")):
        await _settings(kairos, availabilityDecimals=decimals)
        dashboard = (await kairos.anon.get("/")).text
        assert f'<span class="u">{text}</span>' in dashboard
        page = (await kairos.anon.get(f"/resources/{rid}")).text
        assert re.search(rf'id="uptime-h24">\s*<span[^>]*>Uptime 24 h</span>\s*<span class="stat-value">{text}', page)
        badge = (await kairos.anon.get(f"/badges/resources/{rid}.svg", params={"show": "uptime"})).text
        assert _badge_value(badge) == text
        assert f"Uptime 24 h {text}" in (await kairos.anon.get(f"/embed/resources/{rid}")).text
    # The API keeps its precision whatever the pages show.
    status = (await kairos.client.get("/api/resources/status-updates")).json()
    [mine] = [u for u in status if u["resourceId"] == rid]
    assert abs(mine["uptimePercentage"] - 200 / 3) < 1e-5


async def test_the_console_edits_the_zone_and_the_decimals(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        page = (await browser.get("/admin/settings")).text
        assert 'id="time_zone"' in page and '<option value="Europe/Berlin">' in page
        assert '<option value="2" selected>' in page
        r = await post_form(
            browser,
            "/admin/settings",
            {"title": "Kairos", "show_targets": "on", "time_zone": "Europe/Berlin", "availability_decimals": "1"},
        )
        assert r.status_code == 303, r.text
        page = (await browser.get("/admin/settings")).text
        assert 'value="Europe/Berlin"' in page and '<option value="1" selected>' in page
        r = await post_form(
            browser,
            "/admin/settings",
            {"title": "Kairos", "time_zone": "Europe/Berlln", "availability_decimals": "9"},
        )
        assert r.status_code == 422
        assert 'id="time_zone-error"' in r.text and "unknown time zone" in r.text
        assert 'id="availability_decimals-error"' in r.text
    assert (kairos.runtime.site.time_zone, kairos.runtime.site.availability_decimals) == ("Europe/Berlin", 1)
