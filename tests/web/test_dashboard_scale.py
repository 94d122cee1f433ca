"""The status board above its collapse threshold (lowered to 20 here): counts first, problems first, groups
collapsed and loaded when opened (``/dashboard/rows``), search and status filter answered by the server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert

from kairos.db.models import Resource, ResourceGroup
from kairos.probes.base import Status
from kairos.scheduler.state import RuntimeState
from kairos.services.site import SiteSettings
from tests.harness import Running, make_settings, running_kairos
from tests.web.console_seed import seed
from tests.web.pages import add_user, admin_browser, sign_in
from tests.web.test_dashboard import group

THRESHOLD = 20
_ROW = re.compile(r'<li class="r[^"]*" data-id="(\d+)"')
_SECTION = re.compile(r'<section class="grp([^"]*)" data-gid="([^"]+)"[^>]*>(.*?)</section>', re.S)


@pytest.fixture
async def kairos(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async with running_kairos(make_settings(db_url, tmp_path, dashboard_collapse_above=THRESHOLD)) as running:
        yield running


def sections(html: str) -> dict[str, tuple[str, list[int]]]:
    """gid -> (extra classes, row ids) for each section of the board."""
    return {
        gid: (classes.strip(), [int(i) for i in _ROW.findall(body)]) for classes, gid, body in _SECTION.findall(html)
    }


def rows(html: str) -> list[int]:
    return [int(i) for i in _ROW.findall(html)]


def down(board: Running, rid: int, streak: int = 3, outage: bool = True) -> None:
    since = datetime.now(UTC) if outage else None
    board.runtime.board.put(rid, RuntimeState(status=Status.NOT_AVAILABLE, fail_streak=streak, outage_since=since))


def up(board: Running, rid: int) -> None:
    board.runtime.board.put(rid, RuntimeState(status=Status.AVAILABLE, ok_streak=1))


async def test_above_the_threshold_the_board_shows_counts_problems_first_and_collapsed_groups(kairos: Running) -> None:
    web = await group(kairos, "Web")
    db = await group(kairos, "Databases")
    web_ids = await seed(kairos, [f"web-{i}" for i in range(15)], group=web)
    db_ids = await seed(kairos, [f"db-{i}" for i in range(10)], group=db)
    loose = await seed(kairos, ["loose-a", "loose-b"])
    for rid in web_ids[:10] + db_ids:
        up(kairos, rid)
    down(kairos, web_ids[3], streak=1, outage=False)  # failing, 1 of 3: after the outages
    down(kairos, db_ids[7])
    down(kairos, web_ids[12])  # web-12 was unknown; now in an outage
    html = (await kairos.anon.get("/")).text
    counts = re.search(r'id="dash-counts">([^<]*)<', html)
    assert counts is not None
    # 27 resources: 18 up (10 + 10, less 2 put down), 3 not available (1 failing), 6 unknown (5 web less 1, 2 loose)
    assert counts.group(1) == "27 resources · 18 available · 3 not available (1 failing) · 6 unknown"
    shown = sections(html)
    assert list(shown) == ["problems", str(web), str(db), "none"]
    # Problems first: the two outages in natural name order, then the failing one.
    assert shown["problems"] == ("grp-problems", [db_ids[7], web_ids[12], web_ids[3]])
    for gid in (str(web), str(db), "none"):
        assert shown[gid] == ("collapsed lazy", [])  # rows come when the group is opened
    assert 'data-gid="none" data-matched="2"' in html and len(loose) == 2
    assert "15 members · 9 available · 2 not available (1 failing) · 4 unknown" in html
    assert html.index('id="grp-problems"') < html.index(f'data-gid="{web}"')
    assert 'href="/groups/' + str(web) + '"' in html  # without the script, the header leads to the group's page


async def test_at_or_below_the_threshold_the_board_keeps_every_row_as_before(kairos: Running) -> None:
    web = await group(kairos, "Web")
    ids = await seed(kairos, [f"web-{i}" for i in range(THRESHOLD)], group=web)
    html = (await kairos.anon.get("/")).text
    assert 'id="grp-problems"' not in html and 'id="dash-counts"' not in html
    assert sections(html) == {str(web): ("", ids)}


async def test_an_opened_group_loads_its_rows_a_page_at_a_time(kairos: Running) -> None:
    big = await group(kairos, "Big")
    ids = await seed(kairos, [f"k-{i}" for i in range(250)], group=big)
    first = await kairos.anon.get("/dashboard/rows", params={"group": str(big)})
    assert first.status_code == 200
    assert rows(first.text) == ids[:200]
    assert 'data-matched="250"' in first.text and 'data-next="200"' in first.text
    rest = await kairos.anon.get("/dashboard/rows", params={"group": str(big), "offset": "200"})
    assert rows(rest.text) == ids[200:] and "data-next" not in rest.text
    # The group's own page pages the same way, with a link that works without the script.
    page = await kairos.anon.get(f"/groups/{big}")
    assert rows(page.text) == ids[:200] and f'href="/groups/{big}?offset=200"' in page.text
    assert rows((await kairos.anon.get(f"/groups/{big}?offset=200")).text) == ids[200:]


async def test_rows_of_equal_order_come_in_natural_name_order(kairos: Running) -> None:
    names = ["k-10", "k-2", "k-1", "k-100", "K-3"]
    async with kairos.runtime.sessionmaker() as session:
        values = [
            {"name": n, "kind": "TCP", "target": "127.0.0.1:1", "config": {}, "enabled": False, "display_order": 0}
            for n in names
        ]
        ids = list(
            (
                await session.execute(insert(Resource).returning(Resource.id, sort_by_parameter_order=True), values)
            ).scalars()
        )
        await session.commit()
    by_name = dict(zip(names, ids, strict=True))
    html = (await kairos.anon.get("/dashboard/rows", params={"group": "none"})).text
    assert rows(html) == [by_name[n] for n in ("k-1", "k-2", "K-3", "k-10", "k-100")]


async def test_a_visitor_never_gets_rows_of_a_group_it_may_not_see(kairos: Running) -> None:
    staff = await group(kairos, "Staff", visibility="AUTHENTICATED")
    ops = await group(kairos, "Ops", visibility="HIDDEN")
    public = await group(kairos, "Public")
    staff_ids = await seed(kairos, [f"staff-{i}" for i in range(15)], group=staff)
    ops_ids = await seed(kairos, [f"ops-{i}" for i in range(3)], group=ops)
    await seed(kairos, [f"pub-{i}" for i in range(25)], group=public)
    down(kairos, staff_ids[0])
    down(kairos, ops_ids[0])
    for gid in (staff, ops):
        response = await kairos.anon.get("/dashboard/rows", params={"group": str(gid)})
        assert response.status_code == 404 and "staff-" not in response.text and "ops-" not in response.text
    html = (await kairos.anon.get("/")).text
    assert "staff-" not in html and "ops-" not in html and "Staff" not in html
    assert sections(html)["problems"] == ("grp-problems", [])
    searched = (await kairos.anon.get("/", params={"q": "staff"})).text
    assert rows(searched) == [] and "No resource you may see matches" in searched
    # A signed-in user sees the AUTHENTICATED group's rows (and its outage in Problems), not the HIDDEN one's.
    await add_user(kairos, "ann@example.com", "a-long-password-1")
    async with httpx.AsyncClient(base_url=kairos.url, timeout=30) as browser:
        await sign_in(browser, "ann@example.com", "a-long-password-1")
        opened = await browser.get("/dashboard/rows", params={"group": str(staff)})
        assert rows(opened.text) == staff_ids
        assert (await browser.get("/dashboard/rows", params={"group": str(ops)})).status_code == 404
        assert sections((await browser.get("/")).text)["problems"] == ("grp-problems", [staff_ids[0]])
    async with admin_browser(kairos) as admin:
        assert rows((await admin.get("/dashboard/rows", params={"group": str(ops)})).text) == ops_ids


async def test_search_and_status_filter_are_answered_by_the_server(kairos: Running) -> None:
    web = await group(kairos, "Web")
    db = await group(kairos, "Databases")
    web_ids = await seed(kairos, [f"web-{i}" for i in range(30)], group=web)
    db_ids = await seed(kairos, [f"db-{i}" for i in range(30)], group=db)
    down(kairos, web_ids[4], streak=1, outage=False)
    down(kairos, db_ids[9])
    html = (await kairos.anon.get("/", params={"q": "WEB-1"})).text  # case does not matter
    matched = [web_ids[1], *web_ids[10:20]]
    assert sections(html) == {str(web): ("", matched)}  # whole groups expanded while they fit 200 rows
    assert 'value="WEB-1"' in html and "11 matches" in html
    failing = (await kairos.anon.get("/", params={"status": "failing"})).text
    assert rows(failing) == [web_ids[4]]
    outages = (await kairos.anon.get("/", params={"status": "not-available"})).text
    assert sorted(rows(outages)) == sorted([web_ids[4], db_ids[9]])
    opened = await kairos.anon.get("/dashboard/rows", params={"group": str(db), "status": "not-available"})
    assert rows(opened.text) == [db_ids[9]]


async def test_a_search_never_matches_targets_the_visitor_may_not_see(kairos: Running) -> None:
    await seed(kairos, [f"svc-{i}" for i in range(25)])  # every target is 127.0.0.1:1
    assert len(rows((await kairos.anon.get("/", params={"q": "127.0.0.1"})).text)) == 25
    kairos.runtime.site = SiteSettings(show_targets=False)
    # Otherwise a visitor could read a hidden target letter by letter from what a search finds.
    assert rows((await kairos.anon.get("/", params={"q": "127.0.0.1"})).text) == []


async def test_bad_filter_input_is_a_precise_400_never_a_500(kairos: Running) -> None:
    await seed(kairos, [f"svc-{i}" for i in range(25)])
    bad = await kairos.anon.get("/", params={"status": "on-fire"})
    assert bad.status_code == 400 and "status must be one of" in bad.text
    for params in ({"group": "abc"}, {"group": ""}, {"group": "1" * 40}, {"group": "none", "status": "x"}):
        response = await kairos.anon.get("/dashboard/rows", params=params)
        assert response.status_code == 400, params
    assert (await kairos.anon.get("/dashboard/rows", params={"group": "999999"})).status_code == 404
    # A hand-edited offset shows the first rows; a long search is cut, not refused.
    assert len(rows((await kairos.anon.get("/dashboard/rows?group=none&offset=-5")).text)) == 25
    assert (await kairos.anon.get("/", params={"q": "x" * 5000})).status_code == 200


async def test_past_a_hundred_groups_the_next_headers_come_a_page_at_a_time(kairos: Running) -> None:
    async with kairos.runtime.sessionmaker() as session:
        gids = list(
            (
                await session.execute(
                    insert(ResourceGroup).returning(ResourceGroup.id, sort_by_parameter_order=True),
                    [{"name": f"g-{i}", "visibility": "PUBLIC", "display_order": 0} for i in range(105)],
                )
            ).scalars()
        )
        await session.commit()
    for gid in gids[:25]:  # enough members to pass the threshold; the other groups are empty
        await seed(kairos, [f"r-{gid}"], group=gid)
    html = (await kairos.anon.get("/")).text
    shown = sections(html)
    assert len(shown) == 101 and "problems" in shown  # natural order: g-0, g-1, g-2 … g-99
    assert list(shown)[1:4] == [str(gids[0]), str(gids[1]), str(gids[2])]
    assert 'href="?goffset=100">Show more groups (5 left)' in html
    rest = sections((await kairos.anon.get("/", params={"goffset": "100"})).text)
    assert list(rest) == [str(g) for g in gids[100:]]
