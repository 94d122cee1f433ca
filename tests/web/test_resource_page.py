"""The resource page over plain HTTP: status, uptime, history filters and pages, outages, image facts,
hidden resources and hidden targets."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from kairos.probes.base import Phases, ProbeResult, Status
from kairos.services.site import SiteSettings
from tests.harness import Running
from tests.web.resource_seed import (
    add_group,
    add_outage,
    add_resource,
    down,
    ok,
    reload_uptime,
    seed_checks,
    set_state,
)

ROW = re.compile(r'<tr data-status="(\w+)">')


def statuses(html: str) -> list[str]:
    return ROW.findall(html)


async def test_the_page_shows_status_uptime_and_the_last_message(kairos: Running) -> None:
    rid = await add_resource(kairos, "Shop front")
    results = await seed_checks(kairos, rid, 8, timedelta(minutes=5))
    set_state(kairos, rid, results[-1])
    await reload_uptime(kairos)
    r = await kairos.anon.get(f"/resources/{rid}")
    assert r.status_code == 200
    html = r.text
    assert "Shop front" in html and 'class="dot available"' in html
    assert 'id="resource-target"' in html and "http://secret.internal/" in html
    assert "HTTP 200 OK from http://secret.internal/" in html
    assert re.search(r'id="uptime-h24">\s*<span[^>]*>Uptime 24 h</span>\s*<span class="stat-value">100 %', html), html[
        html.index("uptime-h24") :
    ][:300]
    assert f'data-url="/api/resources/{rid}/latency-samples"' in html
    assert len(statuses(html)) == 8


async def test_an_ongoing_outage_says_since_when(kairos: Running) -> None:
    rid = await add_resource(kairos, "Database")
    start = datetime.now(UTC) - timedelta(hours=2)
    results = await seed_checks(kairos, rid, 3, timedelta(minutes=1), down)
    set_state(kairos, rid, results[-1], outage_since=start, fail_streak=3)
    await add_outage(kairos, rid, start - timedelta(days=2), start - timedelta(days=2) + timedelta(minutes=90))
    await add_outage(kairos, rid, start, None)
    html = (await kairos.anon.get(f"/resources/{rid}")).text
    assert 'id="active-outage"' in html and "Down since" in html
    since = start.isoformat().replace("+00:00", "Z")
    assert f'data-since="{since}"' in html
    table = html[html.index('id="resource-outages"') :]
    assert "ongoing" in table and "1h 30m" in table
    assert f'href="/outages?resource={rid}"' in html


async def test_the_history_filters_by_status_and_day(kairos: Running) -> None:
    rid = await add_resource(kairos, "Mixed")
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    await seed_checks(kairos, rid, 4, timedelta(hours=1), ok, end=now - timedelta(days=3))
    await seed_checks(kairos, rid, 3, timedelta(hours=1), down, end=now - timedelta(days=1))
    url = f"/resources/{rid}"
    assert statuses((await kairos.anon.get(url, params={"status": "NOT_AVAILABLE"})).text) == ["NOT_AVAILABLE"] * 3
    assert statuses((await kairos.anon.get(url, params={"status": "AVAILABLE"})).text) == ["AVAILABLE"] * 4
    day = (now - timedelta(days=3)).date().isoformat()
    assert len(statuses((await kairos.anon.get(url, params={"from": day, "to": day})).text)) == 4
    later = (now - timedelta(days=2)).date().isoformat()
    html = (await kairos.anon.get(url, params={"from": later})).text
    assert statuses(html) == ["NOT_AVAILABLE"] * 3
    assert f'value="{later}"' in html  # the form keeps the filter
    assert "No checks match" in (await kairos.anon.get(url, params={"status": "UNKNOWN"})).text


async def test_bad_filter_values_get_a_400_page(kairos: Running) -> None:
    rid = await add_resource(kairos, "x")
    for params in ({"from": "yesterday"}, {"status": "UP"}, {"before": "abc"}, {"before": "999999"}):
        r = await kairos.anon.get(f"/resources/{rid}", params=params)
        assert r.status_code == 400 and r.headers["content-type"].startswith("text/html"), params


async def test_the_history_pages_older_and_newer_with_the_filter_kept(kairos: Running) -> None:
    rid = await add_resource(kairos, "Long")
    await seed_checks(kairos, rid, 120, timedelta(minutes=1))
    await seed_checks(kairos, rid, 5, timedelta(minutes=1), down, end=datetime.now(UTC) - timedelta(hours=5))
    seen: list[str] = []
    url: str | None = f"/resources/{rid}?status=AVAILABLE"
    pages = 0
    while url:
        html = (await kairos.anon.get(url)).text
        times = re.findall(r'<td class="nowrap"><time datetime="([^"]+)"', html)
        seen += times
        assert set(statuses(html)) == {"AVAILABLE"}
        match = re.search(r'href="([^"]+)" id="history-older"', html)
        url = match.group(1).replace("&amp;", "&") if match else None
        pages += 1
        if pages == 2:
            newer = re.search(r'href="([^"]+)" id="history-newer"', html)
            assert newer and "status=AVAILABLE" in newer.group(1)
            back = (await kairos.anon.get(newer.group(1).replace("&amp;", "&"))).text
            assert len(statuses(back)) == 50 and 'id="history-newer"' not in back
    assert pages == 3 and len(seen) == 120 and len(set(seen)) == 120
    assert seen == sorted(seen, reverse=True)


async def test_unknown_and_hidden_resources_are_404_pages(kairos: Running) -> None:
    hidden = await add_group(kairos, "internal", "HIDDEN")
    members = await add_group(kairos, "staff", "AUTHENTICATED")
    public = await add_group(kairos, "public", "PUBLIC")
    secret = await add_resource(kairos, "Secret", group=hidden)
    staff = await add_resource(kairos, "Staff only", group=members)
    shown = await add_resource(kairos, "Shown", group=public)
    for path in (f"/resources/{secret}", f"/resources/{staff}", "/resources/9999", "/resources/abc", "/resources/0"):
        r = await kairos.anon.get(path)
        assert r.status_code == 404 and "There is no such" in r.text, path
        assert "Secret" not in r.text
    assert (await kairos.anon.get(f"/resources/{shown}")).status_code == 200
    from tests.web.pages import admin_browser

    async with admin_browser(kairos) as admin:
        assert (await admin.get(f"/resources/{secret}")).status_code == 200


async def test_targets_and_target_bearing_messages_are_hidden_when_the_site_says_so(kairos: Running) -> None:
    rid = await add_resource(kairos, "Private target")
    results = await seed_checks(kairos, rid, 3, timedelta(minutes=1), down)
    set_state(kairos, rid, results[-1])
    kairos.runtime.site = SiteSettings(show_targets=False)
    html = (await kairos.anon.get(f"/resources/{rid}")).text
    assert "secret.internal" not in html and 'id="resource-target"' not in html
    assert "Not available: connect_refused" in html
    api = (await kairos.anon.get(f"/api/resources/{rid}/history")).json()
    assert api and all(i["message"] == "Not available: connect_refused" for i in api)
    async with httpx.AsyncClient(base_url=kairos.url) as anon_again:
        assert "secret.internal" not in (await anon_again.get(f"/resources/{rid}")).text
    from tests.web.pages import admin_browser

    async with admin_browser(kairos) as admin:
        assert "secret.internal" in (await admin.get(f"/resources/{rid}")).text


def _image(digest: str, changed_from: str | None = None) -> ProbeResult:
    details: dict[str, object] = {
        "digest": digest,
        "platforms": ["linux/amd64", "linux/arm64"],
        "layerCount": 4,
        "totalSize": 29_360_128,
    }
    message = "pullable"
    if changed_from:  # as the scheduler records a re-pushed tag
        details["digestChanged"] = {"from": changed_from, "to": digest}
        message += f"; tag re-pushed (was {changed_from[:19]}…)"
    return ProbeResult(Status.AVAILABLE, message, None, Phases(total_ms=30.0), 200, details)


async def test_an_image_shows_digest_platforms_layers_size_and_the_digest_changes(kairos: Running) -> None:
    rid = await add_resource(kairos, "app:latest", resourceType="DOCKER", target="registry.example/app:latest")
    a, b, c = ("sha256:" + ch * 64 for ch in "abc")
    plan = [(a, None), (a, None), (b, a), (b, None), (c, b), (c, None)]

    def image(at: datetime, i: int) -> ProbeResult:
        digest, before = plan[i]
        result = _image(digest, before)
        result.checked_at = at
        return result

    results = await seed_checks(kairos, rid, len(plan), timedelta(hours=1), image)
    set_state(kairos, rid, down(datetime.now(UTC), 0), image_digest=c)  # failing now: facts from the last pull
    html = (await kairos.anon.get(f"/resources/{rid}")).text
    assert f'id="image-digest" class="break">{c}<' in html
    assert "linux/amd64, linux/arm64" in html and 'id="image-layers">4<' in html and "28.0 MiB" in html
    changes = html[html.index('id="digest-changes"') :]
    assert changes.index(c) < changes.index(a)  # newest first: b→c before a→b
    assert len(re.findall(r"<tr><td", changes)) == 2
    assert results[-1].details["digest"] == c
