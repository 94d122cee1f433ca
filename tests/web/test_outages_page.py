"""The outage page over plain HTTP: open outages first, closed ones by page, filters, and visibility."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from kairos.db.models import Outage
from kairos.web.display import NONE
from tests.harness import Running
from tests.web.pages import admin_browser, post_form
from tests.web.resource_seed import add_group, add_outage, add_resource

PAST_ROW = re.compile(r'<tr data-outage="(\d+)">\s*<td><a href="/resources/(\d+)">([^<]+)</a>')


def past(html: str) -> list[tuple[int, int, str]]:
    return [(int(o), int(r), name) for o, r, name in PAST_ROW.findall(html)]


def link(html: str, anchor: str) -> str | None:
    match = re.search(rf'href="([^"]+)" id="{anchor}"', html)
    return match.group(1).replace("&amp;", "&") if match else None


async def test_open_outages_come_first_with_a_live_counter_then_past_ones(kairos: Running) -> None:
    web = await add_resource(kairos, "Web")
    db = await add_resource(kairos, "Database")
    now = datetime.now(UTC)
    await add_outage(kairos, db, now - timedelta(minutes=42), None)
    await add_outage(kairos, web, now - timedelta(days=1), now - timedelta(days=1) + timedelta(minutes=75))
    html = (await kairos.anon.get("/outages")).text
    active = html[html.index('id="active-outages"') : html.index('id="past"')]
    assert f'href="/resources/{db}">Database</a>' in active and "Web" not in active
    assert 'class="js-since"' in active and "42m" in active
    rows = past(html)
    assert [(r, n) for _, r, n in rows] == [(web, "Web")]
    assert "1h 15m" in html[html.index('id="past-outages"') :]
    assert "js/outages.js" in html


async def test_nothing_down_says_so(kairos: Running) -> None:
    html = (await kairos.anon.get("/outages")).text
    assert 'id="no-active"' in html and 'id="no-past"' in html


async def test_outages_filter_by_resource_and_dates(kairos: Running) -> None:
    a = await add_resource(kairos, "Alpha")
    b = await add_resource(kairos, "Beta")
    day = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    for rid, days_ago in ((a, 1), (a, 5), (b, 1), (b, 10)):
        start = day - timedelta(days=days_ago)
        await add_outage(kairos, rid, start, start + timedelta(minutes=30))
    await add_outage(kairos, b, day - timedelta(hours=30), None)
    html = (await kairos.anon.get("/outages", params={"resource": a})).text
    assert {r for _, r, _ in past(html)} == {a} and len(past(html)) == 2
    assert 'id="no-active"' in html  # Beta's open outage is filtered out too
    assert f'<option value="{a}" selected>Alpha</option>' in html
    since = (day - timedelta(days=6)).date().isoformat()
    until = (day - timedelta(days=2)).date().isoformat()
    html = (await kairos.anon.get("/outages", params={"from": since, "to": until})).text
    assert [r for _, r, _ in past(html)] == [a]
    assert f'value="{since}"' in html and f'value="{until}"' in html
    assert 'id="active-outages"' in html  # the date range leaves open outages alone
    html = (await kairos.anon.get("/outages", params={"resource": b, "from": since})).text
    assert [r for _, r, _ in past(html)] == [b]
    assert (await kairos.anon.get("/outages", params={"from": "last week"})).status_code == 400
    assert (await kairos.anon.get("/outages", params={"resource": "x"})).status_code == 400


async def test_past_outages_page_by_page(kairos: Running) -> None:
    rid = await add_resource(kairos, "Flaky")
    now = datetime.now(UTC)
    for i in range(120):
        start = now - timedelta(hours=2 * i + 3)
        await add_outage(kairos, rid, start, start + timedelta(minutes=10))
    seen: list[int] = []
    url: str | None = f"/outages?resource={rid}"
    pages = 0
    while url:
        html = (await kairos.anon.get(url)).text
        seen += [o for o, _, _ in past(html)]
        pages += 1
        if pages == 2:
            newer = link(html, "outages-newer")
            assert newer and f"resource={rid}" in newer
            assert past((await kairos.anon.get(newer)).text) == past(
                (await kairos.anon.get(f"/outages?resource={rid}")).text
            )
        url = link(html, "outages-older")
    assert pages == 3 and len(seen) == 120 and len(set(seen)) == 120


async def test_anonymous_visitors_never_see_outages_of_hidden_resources(kairos: Running) -> None:
    hidden = await add_group(kairos, "internal", "HIDDEN")
    staff = await add_group(kairos, "staff", "AUTHENTICATED")
    secret = await add_resource(kairos, "Secret box", group=hidden)
    inner = await add_resource(kairos, "Staff box", group=staff)
    public = await add_resource(kairos, "Public box")
    now = datetime.now(UTC)
    for rid in (secret, inner, public):
        await add_outage(kairos, rid, now - timedelta(hours=1), None)
        await add_outage(kairos, rid, now - timedelta(days=1), now - timedelta(days=1) + timedelta(minutes=5))
    html = (await kairos.anon.get("/outages")).text
    assert "Secret box" not in html and "Staff box" not in html and "Public box" in html
    html = (await kairos.anon.get("/outages", params={"resource": secret})).text
    assert "Secret box" not in html and past(html) == [] and 'id="no-active"' in html
    async with admin_browser(kairos) as admin:
        html = (await admin.get("/outages")).text
        assert "Secret box" in html and "Staff box" in html


async def _outage(kairos: Running, rid: int, start: datetime, end: datetime | None, code: str, message: str) -> None:
    async with kairos.runtime.sessionmaker() as session:
        session.add(Outage(resource_id=rid, started_at=start, ended_at=end, error_code=code, message=message))
        await session.commit()


def reasons(html: str, table: str) -> list[tuple[str, str]]:
    part = html[html.index(f'id="{table}"') :]
    part = part[: part.index("</table>")]
    cells = re.findall(r'<td class="reason">(.*?)</td>', part, re.S)
    out = []
    for cell in cells:
        code = re.search(r'<code class="muted small reason-code" title="Failure code">([^<]*)</code>', cell)
        out.append((re.sub(r"\s*<code.*", "", cell, flags=re.S).strip(), code.group(1) if code else ""))
    return out


async def test_the_reason_is_the_message_with_the_code_as_a_detail(kairos: Running) -> None:
    rid = await add_resource(kairos, "Shop")
    now = datetime.now(UTC)
    await _outage(kairos, rid, now - timedelta(minutes=5), None, "http_status", "HTTP 503 from shop.internal")
    await _outage(kairos, rid, now - timedelta(days=2), now - timedelta(days=1), "connect_refused", "refused by :81")
    await _outage(kairos, rid, now - timedelta(days=4), now - timedelta(days=3), "", "")
    html = (await kairos.anon.get("/outages")).text
    assert reasons(html, "active-outages") == [("HTTP 503 from shop.internal", "http_status")]
    assert reasons(html, "past-outages") == [("refused by :81", "connect_refused"), (NONE, "")]
    page = (await kairos.anon.get(f"/resources/{rid}")).text
    assert reasons(page, "resource-outages") == [
        ("HTTP 503 from shop.internal", "http_status"),
        ("refused by :81", "connect_refused"),
        (NONE, ""),
    ]


async def test_a_visitor_who_may_not_see_targets_gets_words_for_the_code_not_the_message(kairos: Running) -> None:
    rid = await add_resource(kairos, "Shop")
    now = datetime.now(UTC)
    await _outage(
        kairos, rid, now - timedelta(days=2), now - timedelta(days=1), "connect_refused", "refused by db.internal"
    )
    await _outage(kairos, rid, now - timedelta(days=4), now - timedelta(days=3), "odd_new_code", "db.internal said no")
    async with admin_browser(kairos) as admin:
        assert (await post_form(admin, "/admin/settings", {"title": "Kairos"})).status_code == 303
        assert reasons((await admin.get("/outages")).text, "past-outages")[0] == (
            "refused by db.internal",
            "connect_refused",
        )
    for path, table in (("/outages", "past-outages"), (f"/resources/{rid}", "resource-outages")):
        html = (await kairos.anon.get(path)).text
        assert "db.internal" not in html, path
        assert reasons(html, table) == [
            ("Connection refused", "connect_refused"),
            ("Odd new code", "odd_new_code"),
        ], path
