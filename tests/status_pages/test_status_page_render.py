"""``/status/{slug}``: what a visitor sees (only PUBLIC groups when anonymous), the 90-day bar's figures from
known daily rollups and outages, announcements linked to the page, and a custom domain served at ``/``."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime, timedelta

import httpx

from kairos.db.models import Outage, Rollup1d
from kairos.rollups.buckets import ONE_DAY, bucket_of
from tests.harness import Running
from tests.status_pages.support import group, page, resource
from tests.web.pages import admin_browser


def _titles(body: str, resource_id: int) -> list[str]:
    row = re.search(rf'<li class="sp-row" data-id="{resource_id}">(.*?)</li>', body, re.S)
    assert row is not None, body
    return [html.unescape(t) for t in re.findall(r'<span class="d d-\w+" title="([^"]*)"', row.group(1))]


def _classes(body: str, resource_id: int) -> list[str]:
    row = re.search(rf'<li class="sp-row" data-id="{resource_id}">(.*?)</li>', body, re.S)
    assert row is not None
    return re.findall(r'<span class="d d-(\w+)"', row.group(1))


async def test_anonymous_visitors_see_public_groups_only_in_the_pages_order(kairos: Running) -> None:
    web, db, secret = await group(kairos, "Web"), await group(kairos, "Databases"), await group(kairos, "Ops", "HIDDEN")
    inner = await group(kairos, "Staff", "AUTHENTICATED")
    await resource(kairos, "shop", web)
    await resource(kairos, "orders-db", db)
    await resource(kairos, "secret-box", secret)
    await resource(kairos, "staff-wiki", inner)
    await page(kairos, groupIds=[db, secret, inner, web], description="We watch **everything**.")
    r = await kairos.anon.get("/status/main")
    assert r.status_code == 200
    body = r.text
    assert "<title>Our status</title>" in body and "<strong>everything</strong>" in body
    assert body.index("Databases") < body.index("Web") and "orders-db" in body and "shop" in body
    for hidden in ("Ops", "secret-box", "Staff", "staff-wiki"):
        assert hidden not in body
    async with admin_browser(kairos) as admin:  # an admin previewing the page sees every group on it
        body = (await admin.get("/status/main")).text
    assert "secret-box" in body and "staff-wiki" in body


async def test_the_90_day_bar_shows_each_days_uptime_and_outages_from_the_rollups(kairos: Running) -> None:
    g = await group(kairos, "Web")
    rid = await resource(kairos, "shop", g)
    today = bucket_of(time.time(), ONE_DAY)
    async with kairos.runtime.sessionmaker() as session:
        session.add_all(
            [
                Rollup1d(resource_id=rid, bucket=today - 2 * ONE_DAY, available=999, not_available=1),
                Rollup1d(resource_id=rid, bucket=today - 5 * ONE_DAY, available=90, not_available=10),
                Rollup1d(resource_id=rid, bucket=today - 89 * ONE_DAY, available=10, not_available=0),
                Rollup1d(resource_id=rid, bucket=today - 90 * ONE_DAY, available=0, not_available=10),  # too old
            ]
        )
        start = datetime.fromtimestamp(today - 5 * ONE_DAY + 10 * 3600, UTC)
        session.add(Outage(resource_id=rid, started_at=start, ended_at=start.replace(minute=30)))
        # From 23:00 to 01:00: one outage on both days, one hour in each.
        night = datetime.fromtimestamp(today - 2 * ONE_DAY - 3600, UTC)
        session.add(Outage(resource_id=rid, started_at=night, ended_at=night + timedelta(hours=2)))
        await session.commit()
    await page(kairos, groupIds=[g])
    body = (await kairos.anon.get("/status/main")).text
    titles = _titles(body, rid)
    assert len(titles) == 90

    def day(n: int) -> str:
        return datetime.fromtimestamp(today - n * ONE_DAY, UTC).date().isoformat()

    assert titles[-1] == f"{day(0)} · no data"
    assert titles[-3] == f"{day(2)} · 99.90% up · 1 outage (1h 0m)"
    assert titles[-4] == f"{day(3)} · no data · 1 outage (1h 0m)"
    assert titles[-6] == f"{day(5)} · 90.00% up · 1 outage (30m)"
    assert titles[0] == f"{day(89)} · 100.00% up · no outage"
    classes = _classes(body, rid)
    assert classes[0] == "up" and classes[-6] == "down" and classes[-3] == "minor" and classes[-1] == "none"
    # Over the bar: (999 + 90 + 10) of (1000 + 100 + 10), the counts summed, not the days' percentages averaged.
    assert "99.01 % over 90 days" in body


async def test_only_the_announcements_linked_to_the_page_show_on_it(kairos: Running) -> None:
    linked = (await kairos.client.post("/api/announcements", json={"content": "Page news"})).json()["id"]
    await kairos.client.post("/api/announcements", json={"content": "Dashboard news"})
    off = await kairos.client.post("/api/announcements", json={"content": "Switched off", "active": False})
    await page(kairos, announcementIds=[linked, off.json()["id"]])
    body = (await kairos.anon.get("/status/main")).text
    assert "Page news" in body and "Dashboard news" not in body and "Switched off" not in body


async def test_an_unknown_slug_is_a_404_page(kairos: Running) -> None:
    r = await kairos.anon.get("/status/nope")
    assert r.status_code == 404 and "no such status page" in r.text


async def test_a_custom_domain_gets_its_page_at_the_root_and_is_allowed_by_the_host_check(kairos: Running) -> None:
    g = await group(kairos, "Web")
    await resource(kairos, "shop", g)
    async with httpx.AsyncClient(base_url=kairos.url, headers={"Host": "status.example.com"}) as visitor:
        refused = await visitor.get("/")
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "host_not_allowed"
        created = await page(kairos, groupIds=[g], domain="status.example.com")
        r = await visitor.get("/")
        assert r.status_code == 200 and "<title>Our status</title>" in r.text and "shop" in r.text
        r = await visitor.get("/", headers={"Host": "STATUS.example.com.:8080"})
        assert r.status_code == 200 and "<title>Our status</title>" in r.text
        # The dashboard stays on every other name.
        assert "<title>Our status</title>" not in (await kairos.anon.get("/")).text
        await kairos.client.put(f"/api/status-pages/{created['id']}", json={"domain": None})
        assert (await visitor.get("/")).status_code == 400


async def test_the_page_shows_maintenance_for_its_own_groups_only(kairos: Running) -> None:
    web, other = await group(kairos, "Web"), await group(kairos, "Elsewhere")
    await resource(kairos, "shop", web)
    await page(kairos, groupIds=[web])
    now = datetime.now(UTC)
    for title, ids in (("Web upgrade", [web]), ("Other work", [other])):
        body: dict[str, object] = {"title": title, "startsAt": (now + timedelta(hours=1)).isoformat(),
                "endsAt": (now + timedelta(hours=2)).isoformat(), "scope": "groups", "scopeIds": ids}  # fmt: skip
        r = await kairos.client.post("/api/maintenance-windows", json=body)
        assert r.status_code == 201, r.text
    text = (await kairos.anon.get("/status/main")).text
    assert "Planned maintenance: Web upgrade" in text and "Other work" not in text
