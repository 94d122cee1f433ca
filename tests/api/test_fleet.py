"""The fleet's status for operators: ``GET /api/fleet``, the console's Fleet page and the status page's line about
a location whose checks are paused. Rows are written as workers and the leader's liveness job write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kairos.auth.apikeys import create_key
from kairos.auth.scopes import PRESETS
from kairos.db.models import FleetLocation, FleetWorker
from tests.api.support import assert_error
from tests.harness import Running
from tests.web.pages import add_user, admin_browser

FIELDS = {"id", "location", "host", "pid", "version", "startedAt", "seenAt", "live", "leader"}


async def add_fleet(kairos: Running) -> datetime:
    """Location eu with a live leader and a worker gone quiet; location us down, its only worker long silent."""
    now = datetime.now(UTC)
    down_since = now - timedelta(minutes=7)
    async with kairos.runtime.sessionmaker() as session, session.begin():
        session.add_all(
            [
                FleetLocation(name="eu", up=True, changed_at=now - timedelta(days=1)),
                FleetLocation(name="us", up=False, changed_at=down_since),
                FleetWorker(id="eu-1", location="eu", host="node-a", pid=11, version="0.1.0", seen_at=now, leader=True),
                FleetWorker(id="eu-2", location="eu", host="node-b", pid=12, version="0.1.0", seen_at=now),
                FleetWorker(id="us-1", location="us", host="node-c", pid=13, version="0.1.0", seen_at=down_since),
            ]
        )
    return down_since


async def test_a_single_process_has_an_empty_fleet(kairos: Running) -> None:
    r = await kairos.client.get("/api/fleet")
    assert r.status_code == 200 and r.json() == {"locations": [], "workers": []}
    dashboard = await kairos.anon.get("/")
    assert dashboard.status_code == 200 and "are paused since" not in dashboard.text
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/fleet")
    assert page.status_code == 200 and 'id="fleet-single"' in page.text and 'href="/admin/fleet"' in page.text


async def test_the_fleet_lists_locations_and_workers_with_liveness(kairos: Running) -> None:
    await add_fleet(kairos)
    r = await kairos.client.get("/api/fleet")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(loc["name"], loc["up"], loc["workers"]) for loc in body["locations"]] == [
        ("eu", True, 2),
        ("us", False, 0),
    ]
    assert all(set(w) == FIELDS for w in body["workers"])
    assert [(w["id"], w["location"], w["live"], w["leader"]) for w in body["workers"]] == [
        ("eu-1", "eu", True, True),
        ("eu-2", "eu", True, False),
        ("us-1", "us", False, False),
    ]
    assert body["workers"][2]["host"] == "node-c" and body["workers"][2]["pid"] == 13

    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/fleet")
    assert page.status_code == 200
    assert 'data-location="us"' in page.text and "down, checks paused" in page.text
    assert 'data-worker="eu-1"' in page.text and ">leader<" in page.text


async def test_the_status_page_says_which_locations_are_paused(kairos: Running) -> None:
    await add_fleet(kairos)
    page = await kairos.anon.get("/")
    assert page.status_code == 200
    assert "Checks from location us are paused since" in page.text and 'data-location="eu"' not in page.text


async def test_read_keys_may_read_the_fleet_and_users_and_anonymous_callers_may_not(kairos: Running) -> None:
    async with kairos.runtime.sessionmaker() as session:
        read = await create_key(session, "prometheus", scopes=PRESETS["READ"])
        await session.commit()
    assert (await kairos.anon.get("/api/fleet", headers={"X-API-Key": read.plaintext})).status_code == 200
    await add_user(kairos, "viewer@example.com", "viewer-password-1")
    assert_error(
        await kairos.anon.get("/api/fleet", auth=("viewer@example.com", "viewer-password-1")), 403, "forbidden"
    )
    assert_error(await kairos.anon.get("/api/fleet"), 401, "unauthorized")
