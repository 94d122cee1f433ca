"""The status board ``/`` and the group page ``/groups/{id}`` over plain HTTP."""

from __future__ import annotations

import re
from typing import Any

from kairos.db.models import Announcement
from kairos.services.site import SiteSettings
from tests.api.loopback import closed_port
from tests.harness import Running
from tests.web.pages import admin_browser

__all__ = ["closed_port"]  # the fixture

_SECTION = re.compile(r'<section class="grp" data-gid="([^"]+)">.*?<button[^>]*>([^<]*)</button>(.*?)</section>', re.S)
_ROW = re.compile(r'<li class="r[^"]*" data-id="(\d+)"')


def sections(html: str) -> list[tuple[str, list[int]]]:
    """(group name, resource ids in order) for each group on the page, in order."""
    return [(name, [int(i) for i in _ROW.findall(body)]) for _gid, name, body in _SECTION.findall(html)]


async def group(kairos: Running, name: str, **fields: Any) -> int:
    response = await kairos.client.post("/api/groups", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def resource(kairos: Running, name: str, groups: list[int] | None = None, target: str = "127.0.0.1:9") -> int:
    body: dict[str, Any] = {"name": name, "resourceType": "TCP", "target": target, "active": False}
    if groups:
        body["groupIds"] = groups
    response = await kairos.client.post("/api/resources", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_groups_come_in_their_order_with_members_in_theirs_and_ungrouped_last(kairos: Running) -> None:
    second = await group(kairos, "Second", displayOrder=2)
    first = await group(kairos, "First", displayOrder=1)
    b = await resource(kairos, "b", [first])
    a = await resource(kairos, "a", [first, second])
    loose = await resource(kairos, "loose")
    c = await resource(kairos, "c", [second])
    await kairos.client.put(f"/api/groups/{second}/order", json={"resourceIds": [c, a]})
    html = (await kairos.anon.get("/")).text
    # First keeps the order its members joined in; Second the order set through the API.
    assert sections(html) == [("First", [b, a]), ("Second", [c, a]), ("Other resources", [loose])]


async def test_a_hidden_group_and_its_resources_are_not_shown_to_anonymous_visitors(kairos: Running) -> None:
    ops = await group(kairos, "Ops", visibility="HIDDEN")
    web = await group(kairos, "Web")
    secret = await resource(kairos, "secret-db", [ops])
    both = await resource(kairos, "api", [ops, web])
    html = (await kairos.anon.get("/")).text
    assert sections(html) == [("Web", [both])]
    assert "secret-db" not in html and "Ops" not in html
    async with admin_browser(kairos) as admin:
        signed_in = (await admin.get("/")).text
    assert sections(signed_in) == [("Ops", [secret, both]), ("Web", [both])]  # the order they joined in


async def test_active_announcements_are_shown_on_top_coloured_by_kind(kairos: Running) -> None:
    async with kairos.runtime.sessionmaker() as session:
        session.add(
            Announcement(kind="WARNING", content="x", content_html="<p>Maintenance <strong>tonight</strong></p>")
        )
        session.add(Announcement(kind="PROBLEM", content="y", content_html="<p>old</p>", active=False))
        await session.commit()
    html = (await kairos.anon.get("/")).text
    assert (
        '<div class="alert alert-warning dash-announcement"><p>Maintenance <strong>tonight</strong></p></div>' in html
    )
    assert "<p>old</p>" not in html
    assert html.index("alert-warning") < html.index('id="dash-board"')


async def test_targets_are_hidden_from_visitors_when_the_site_says_so(kairos: Running) -> None:
    await resource(kairos, "db", target="10.1.2.3:5432")
    assert "10.1.2.3:5432" in (await kairos.anon.get("/")).text
    kairos.runtime.site = SiteSettings(show_targets=False)
    html = (await kairos.anon.get("/")).text
    assert "10.1.2.3:5432" not in html and "db" in html
    async with admin_browser(kairos) as admin:
        assert "10.1.2.3:5432" in (await admin.get("/")).text


async def test_the_summary_says_how_many_resources_are_not_available(kairos: Running, closed_port: int) -> None:
    assert "No resources to show yet" in (await kairos.anon.get("/")).text
    rid = await resource(kairos, "down")
    await kairos.client.put(
        f"/api/resources/{rid}", json={"name": "down", "resourceType": "TCP", "target": f"127.0.0.1:{closed_port}"}
    )
    await kairos.runtime.scheduler.check_now(rid)
    html = (await kairos.anon.get("/")).text
    assert "1 resource not available" in html
    # One failure, below the threshold: amber "failing" at once, and the heartbeat bar has its one check.
    assert f'<li class="r failing" data-id="{rid}" data-tl="-95N" data-hb="N" data-fs="1">' in html
    assert '<i class="dot not-available">' in html and ">failing, 1 of 3</span>" in html


async def test_a_row_costs_well_under_half_a_kilobyte(kairos: Running) -> None:
    empty = len((await kairos.anon.get("/")).content)
    web = await group(kairos, "Web")
    for i in range(40):
        await resource(kairos, f"service-{i:03d}", [web], target=f"service-{i:03d}.internal.example:443")
    page = await kairos.anon.get("/")
    assert page.status_code == 200
    per_row = (len(page.content) - empty) / 40
    assert per_row < 500, per_row


async def test_a_group_page_shows_one_group_and_only_public_ones_to_visitors(kairos: Running) -> None:
    web = await group(kairos, "Web")
    ops = await group(kairos, "Ops", visibility="AUTHENTICATED")
    site = await resource(kairos, "site", [web])
    await resource(kairos, "db", [ops])
    await resource(kairos, "loose")
    page = await kairos.anon.get(f"/groups/{web}")
    assert page.status_code == 200
    assert sections(page.text) == [("Web", [site])]
    assert (await kairos.anon.get(f"/groups/{ops}")).status_code == 404
    assert (await kairos.anon.get("/groups/9999")).status_code == 404
    async with admin_browser(kairos) as admin:
        assert (await admin.get(f"/groups/{ops}")).status_code == 200
