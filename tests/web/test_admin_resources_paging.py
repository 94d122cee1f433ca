"""The console's resource list at scale, over plain HTTP: server paging, filters and sort in the query string,
natural order, what a USER may see, and bulk actions on everything matching a filter (evaluated again when
confirmed)."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from kairos.db.models import Resource
from kairos.services.resource_bulk import MAX_IDS, MAX_MATCHING
from tests.api.loopback import Target, closed_port, target
from tests.api.support import create_resource, wait_for_status
from tests.harness import Running, wait_for
from tests.web.console_seed import seed
from tests.web.pages import add_user, admin_browser, csrf_of, post_form, sign_in

__all__ = ["closed_port", "target"]

_NAME = re.compile(r'<td class="name">(?:<a href="[^"]+">)?([^<]+)<')


def names(html: str) -> list[str]:
    return _NAME.findall(html)


def links(html: str) -> dict[str, str]:
    """The pager's links by rel (first, prev, next, last), unescaped."""
    return {rel: href.replace("&amp;", "&") for href, rel in re.findall(r'href="([^"]+)" rel="(\w+)"', html)}


async def test_the_list_pages_on_the_server_with_links_that_keep_the_query(kairos: Running) -> None:
    await seed(kairos, [f"k-{i}" for i in range(120, 0, -1)])  # stored backwards: the order is the server's
    async with admin_browser(kairos) as browser:
        first = (await browser.get("/admin/resources")).text
        assert names(first) == [f"k-{i}" for i in range(1, 51)]  # natural order, 50 a page by default
        assert "120 of 120 resources · showing 1\u201350" in first and "Page 1 of 3" in first
        assert links(first) == {"next": "/admin/resources?page=2", "last": "/admin/resources?page=3"}
        last = (await browser.get("/admin/resources?page=3")).text
        assert names(last) == [f"k-{i}" for i in range(101, 121)] and "Page 3 of 3" in last
        assert links(last) == {"first": "/admin/resources", "prev": "/admin/resources?page=2"}

        small = (await browser.get("/admin/resources?size=25&page=2&q=k-")).text
        assert names(small) == [f"k-{i}" for i in range(26, 51)] and "Page 2 of 5" in small
        assert links(small)["next"] == "/admin/resources?q=k-&size=25&page=3"
        assert '<option value="25" selected>' in small  # the form shows the state it came from
        assert '<input type="hidden" name="back" value="/admin/resources?q=k-&amp;size=25&amp;page=2">' in small

        beyond = (await browser.get("/admin/resources?page=99")).text
        assert "Page 3 of 3" in beyond and names(beyond)[0] == "k-101"  # past the end: the last page


async def test_values_the_list_cannot_use_are_named_and_left_out(kairos: Running) -> None:
    await seed(kairos, [f"r{i}" for i in range(60)])
    async with admin_browser(kairos) as browser:
        r = await browser.get("/admin/resources?size=7&sort=colour&kind=FTP&status=purple&group=x&tag=nocolon&page=z")
        assert r.status_code == 200
        assert "A page shows 25, 50, 100 or 200 resources: it shows 50." in r.text
        assert "The list cannot be sorted by “colour”: it is sorted by name." in r.text
        assert "There is no kind “FTP”: the kind filter was left out." in r.text
        assert "There is no status “purple”: the status filter was left out." in r.text
        assert "The group filter is a group&#39;s number: it was left out." in r.text
        assert "A tag filter is key:value, e.g. team:payments: it was left out." in r.text
        assert len(names(r.text)) == 50 and "Page 1 of 2" in r.text


async def test_filters_combine_and_the_status_sort_puts_problems_first(
    kairos: Running, target: Target, closed_port: int
) -> None:
    edge = (await kairos.client.post("/api/groups", json={"name": "edge"})).json()["id"]
    up = await create_resource(kairos, target.url("/"), name="web-2", groupIds=[edge], displayOrder=3)
    down = await create_resource(kairos, f"127.0.0.1:{closed_port}", resourceType="TCP", name="web-10", displayOrder=1)
    tagged = [{"key": "team", "value": "pay"}]
    await create_resource(kairos, target.url("/"), name="web-1", active=False, tags=tagged)
    await seed(kairos, ["db-1", "db-2"], group=edge)
    await wait_for_status(kairos, up["id"], "available")
    await wait_for_status(kairos, down["id"], "not-available")
    await wait_for(lambda: len(kairos.runtime.board.states) >= 2)
    async with admin_browser(kairos) as browser:

        async def listed(query: str) -> list[str]:
            return names((await browser.get("/admin/resources" + query)).text)

        assert await listed("") == ["db-1", "db-2", "web-1", "web-2", "web-10"]
        assert await listed("?q=WEB") == ["web-1", "web-2", "web-10"]
        assert await listed("?q=WEB&kind=TCP") == ["web-10"]
        assert await listed(f"?group={edge}") == ["db-1", "db-2", "web-2"]
        assert await listed(f"?group={edge}&q=web") == ["web-2"]
        assert await listed("?tag=team:pay") == ["web-1"]
        assert await listed("?enabled=no&q=web") == ["web-1"]
        assert await listed("?status=available") == ["web-2"]
        assert await listed("?q=web&sort=status") == ["web-10", "web-1", "web-2"]  # down, unknown, up
        assert await listed("?q=web&sort=order") == ["web-1", "web-10", "web-2"]  # display order, then name
        assert await listed("?q=%25") == [] and await listed("?q=_") == []  # LIKE wildcards are plain text


async def test_a_user_never_counts_or_finds_resources_only_in_hidden_groups(kairos: Running) -> None:
    secret = (await kairos.client.post("/api/groups", json={"name": "vault", "visibility": "HIDDEN"})).json()["id"]
    await seed(kairos, [f"hidden-{i}" for i in range(30)], group=secret)
    await seed(kairos, [f"open-{i}" for i in range(70)])
    await add_user(kairos, "viewer@example.com", "viewer-password-1")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "viewer@example.com", "viewer-password-1")
        page = (await browser.get("/admin/resources")).text
        assert "70 of 70 resources" in page and "Page 1 of 2" in page and "vault" not in page
        assert all(n.startswith("open-") for n in names(page))
        assert "hidden-" not in (await browser.get("/admin/resources?q=hidden")).text
        probe = (await browser.get(f"/admin/resources?group={secret}")).text
        assert names(probe) == [] and "0 of 70 resources" in probe  # a hidden group's members are not told
    async with admin_browser(kairos) as admin:
        assert "100 of 100 resources" in (await admin.get("/admin/resources")).text


async def test_all_matching_asks_with_the_count_and_evaluates_the_filter_again_on_confirmation(
    kairos: Running,
) -> None:
    matching = await seed(kairos, [f"web-{i}" for i in range(1, 61)], enabled=True)
    others = await seed(kairos, ["db-1", "db-2"], enabled=True)
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/resources?q=web&page=2")
        assert 'id="apply-matching"' in page.text and "Apply to all 60 matching" in page.text
        form = {"action": "pause", "scope": "filter", "filter": "q=web", "back": "/admin/resources?q=web&page=2"}
        asked = await browser.post("/admin/resources/bulk", data={"csrf_token": csrf_of(page.text), **form})
        assert asked.status_code == 200 and "Pause: 60 resources match this filter" in asked.text
        assert "name or target contains “web”" in asked.text and "evaluated again when you confirm" in asked.text
        assert (await kairos.client.get(f"/api/resources/{matching[0]}")).json()["active"] is True  # not yet

        late = await seed(kairos, ["web-late"], enabled=True)  # matches when the action is confirmed
        done = await browser.post(
            "/admin/resources/bulk", data={"csrf_token": csrf_of(asked.text), **form, "confirm": "yes"}
        )
        assert done.status_code == 303 and done.headers["location"] == "/admin/resources?q=web&page=2&bulk=pause&n=61"
        assert "Paused 61 resource(s)." in (await browser.get(done.headers["location"])).text
    body = (await kairos.client.get("/api/resources")).json()
    paused = {r["id"] for r in body if not r["active"]}
    assert paused == set(matching + late) and not paused & set(others)


async def test_an_action_on_all_matching_refuses_what_it_cannot_do_safely(kairos: Running) -> None:
    await seed(kairos, ["web-1", "db-1"], enabled=True)
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/resources")
        token = csrf_of(page.text)
        # A filter value the list would leave out would widen the selection: refused, not dropped.
        bad = {"csrf_token": token, "action": "delete", "scope": "filter", "filter": "q=web&kind=FTP", "confirm": "yes"}
        r = await browser.post("/admin/resources/bulk", data=bad)
        assert r.status_code == 422 and "Nothing was changed: There is no kind “FTP”" in r.text
        gone = {"csrf_token": token, "action": "pause", "scope": "filter", "filter": "q=nothing", "confirm": "yes"}
        r = await browser.post("/admin/resources/bulk", data=gone)
        assert r.status_code == 409 and "no resource matches this filter any more" in r.text
        no_group = {"csrf_token": token, "action": "move", "scope": "filter", "filter": "q=web"}
        r = await browser.post("/admin/resources/bulk", data=no_group)
        assert r.status_code == 422 and "this action needs a group" in r.text.lower()
        many = {"csrf_token": token, "action": "pause", "ids": [str(i) for i in range(1, MAX_IDS + 2)]}
        r = await browser.post("/admin/resources/bulk", data=many)
        assert r.status_code == 422 and "at most 1,000" in r.text
    assert all(r["active"] for r in (await kairos.client.get("/api/resources")).json())


async def test_all_matching_is_capped_and_says_so_before_anything_changes(kairos: Running) -> None:
    await seed(kairos, [f"n-{i}" for i in range(MAX_MATCHING + 1)], enabled=True)
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/resources?page=3")
        assert f"{MAX_MATCHING + 1} of {MAX_MATCHING + 1} resources" in page.text and "Page 3 of 201" in page.text
        form = {"csrf_token": csrf_of(page.text), "action": "pause", "scope": "filter", "filter": ""}
        asked = await browser.post("/admin/resources/bulk", data=form)
        assert "One action changes at most 10,000 resources: narrow the filter." in asked.text
        assert 'id="matching-confirm"' not in asked.text
        r = await browser.post("/admin/resources/bulk", data={**form, "confirm": "yes"})
        assert r.status_code == 422 and "at most 10,000 resources at once" in r.text
    async with kairos.runtime.sessionmaker() as session:
        paused = await session.scalar(select(func.count()).select_from(Resource).where(Resource.enabled.is_(False)))
    assert paused == 0


async def test_a_user_may_not_act_on_all_matching(kairos: Running) -> None:
    await seed(kairos, ["web-1"], enabled=True)
    await add_user(kairos, "viewer@example.com", "viewer-password-1")
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, "viewer@example.com", "viewer-password-1")
        page = await browser.get("/admin/resources")
        assert 'id="apply-matching"' not in page.text
        form = {"csrf_token": csrf_of(page.text), "action": "delete", "scope": "filter", "filter": "", "confirm": "yes"}
        assert (await browser.post("/admin/resources/bulk", data=form)).status_code == 403
    assert len((await kairos.client.get("/api/resources")).json()) == 1


async def test_a_bulk_action_returns_to_the_page_it_came_from(kairos: Running) -> None:
    ids = await seed(kairos, [f"x-{i}" for i in range(1, 80)], enabled=True)
    async with admin_browser(kairos) as browser:
        back = "/admin/resources?q=x&size=25&page=2"
        r = await post_form(
            browser, "/admin/resources/bulk", {"action": "pause", "ids": [str(ids[30])], "back": back}, page=back
        )
        assert r.status_code == 303 and r.headers["location"] == back + "&bulk=pause&n=1"
        asked = await post_form(
            browser, "/admin/resources/bulk", {"action": "delete", "ids": [str(ids[0])], "back": back}, page=back
        )
        assert f'href="{back.replace("&", "&amp;")}">Cancel' in asked.text


async def test_a_selection_of_the_full_1000_ids_from_many_pages_is_taken(kairos: Running) -> None:
    ids = await seed(kairos, [f"s-{i}" for i in range(MAX_IDS + 5)], enabled=True)
    async with admin_browser(kairos) as browser:
        chosen = [str(i) for i in ids[:MAX_IDS]]  # more fields than a form parser takes by default
        r = await post_form(
            browser, "/admin/resources/bulk", {"action": "pause", "ids": chosen}, page="/admin/resources"
        )
        assert r.status_code == 303 and r.headers["location"] == f"/admin/resources?bulk=pause&n={MAX_IDS}"
    async with kairos.runtime.sessionmaker() as session:
        paused = set((await session.execute(select(Resource.id).where(Resource.enabled.is_(False)))).scalars())
    assert paused == set(ids[:MAX_IDS])
