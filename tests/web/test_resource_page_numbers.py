"""Numbers on the resource page that must not mislead: a check the target never answered (a refused
connection) has no latency (a dash, not "0 ms"), and the last check's time reads "took 2 ms", not "in 2 ms"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from kairos.probes.base import Phases, ProbeResult, Status
from kairos.web.display import NONE
from tests.api.loopback import Target, closed_port, target
from tests.api.support import create_resource, wait_for_status
from tests.harness import Running
from tests.web.pages import admin_browser, post_form
from tests.web.resource_seed import add_resource, down, ok, seed_checks, set_state

__all__ = ["closed_port", "target"]  # fixtures


def server_error(at: datetime, i: int) -> ProbeResult:
    phases = Phases(dns_ms=1.0, connect_ms=2.0, total_ms=87.0)
    return ProbeResult(Status.NOT_AVAILABLE, "HTTP 503", "http_status", phases, 503, {}, at)


def totals(html: str) -> list[tuple[str, str]]:
    """(status, Total cell) of each history row, newest first."""
    rows = re.findall(r'<tr data-status="(\w+)">.*?data-phase="total">([^<]*)<', html, re.S)
    return [(status, total) for status, total in rows]


def last_latency(html: str) -> str | None:
    found = re.search(r'id="last-latency">([^<]*)<', html)
    return found.group(1) if found else None


async def test_a_refused_check_has_no_latency_in_the_history_or_the_last_check(kairos: Running) -> None:
    rid = await add_resource(kairos, "Shop")
    now = datetime.now(UTC)
    await seed_checks(kairos, rid, 1, timedelta(minutes=1), ok, end=now - timedelta(minutes=3))
    await seed_checks(kairos, rid, 1, timedelta(minutes=1), server_error, end=now - timedelta(minutes=2))
    refused = await seed_checks(kairos, rid, 1, timedelta(minutes=1), down, end=now - timedelta(minutes=1))
    set_state(kairos, rid, refused[-1])
    html = (await kairos.anon.get(f"/resources/{rid}")).text
    assert totals(html) == [("NOT_AVAILABLE", NONE), ("NOT_AVAILABLE", "87 ms"), ("AVAILABLE", "40 ms")]
    assert last_latency(html) is None  # a refusal's 3 ms is not shown as a response time
    assert "3 ms" not in html


async def test_the_last_check_says_how_long_it_took(kairos: Running) -> None:
    rid = await add_resource(kairos, "Shop")
    checks = await seed_checks(kairos, rid, 2, timedelta(minutes=1))
    set_state(kairos, rid, checks[-1])
    html = (await kairos.anon.get(f"/resources/{rid}")).text
    assert last_latency(html) == "took 45 ms"
    assert not re.search(r">\s*in \d+(\.\d)? ms", html)
    set_state(kairos, rid, server_error(datetime.now(UTC), 0))
    assert last_latency((await kairos.anon.get(f"/resources/{rid}")).text) == "took 87 ms"  # answered, if badly


async def test_a_real_refused_check_shows_no_latency_where_a_real_answer_shows_how_long_it_took(
    kairos: Running, closed_port: int, target: Target
) -> None:
    shut = (await create_resource(kairos, f"127.0.0.1:{closed_port}", resourceType="TCP", name="shut"))["id"]
    web = (await create_resource(kairos, target.url("/"), name="web"))["id"]
    await wait_for_status(kairos, shut, "not-available")
    await wait_for_status(kairos, web, "available")
    refused = (await kairos.anon.get(f"/resources/{shut}")).text
    assert last_latency(refused) is None
    assert [total for _, total in totals(refused)][:1] == [NONE]
    answered = (await kairos.anon.get(f"/resources/{web}")).text
    assert re.fullmatch(r"took \d+(\.\d)? ms", last_latency(answered) or "")
    async with admin_browser(kairos) as browser:  # the console's verdict after "Check now" (no script)
        for rid, took in ((shut, False), (web, True)):
            r = await post_form(
                browser, f"/admin/resources/{rid}/check", {"back": "/admin/resources"}, "/admin/resources"
            )
            page = (await browser.get(r.headers["location"])).text
            verdict = page[page.index('id="check-result"') : page.index("</section>", page.index('id="check-result"'))]
            assert ('class="verdict-latency">took ' in verdict) is took, rid
