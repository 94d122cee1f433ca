"""The certificate on the pages of a running Kairos: the resource page's "Certificate" card (only for callers
who may see the target), the dashboard's marker under the threshold, the live stream's ``certDays``, and the
MCP status tool."""

from __future__ import annotations

import re
import time
from typing import Any

import trustme

from kairos.services.site import SiteSettings
from kairos.web.dashboard_data import live_update
from tests.certs.conftest import server_context, tls_server
from tests.certs.test_app import check_now, make_resource
from tests.harness import Running, wait_for
from tests.mcp.support import data, make_key, mcp_client
from tests.notify.conftest import kairos
from tests.web.pages import admin_browser

__all__ = ["kairos"]

CARD = re.compile(r'<div class="card stat" id="certificate">(.*?)</div>', re.S)
MARKER = re.compile(r'<span class="ce" title="([^"]*)">([^<]*)</span>')


async def checked_resource(kairos: Running, ca: trustme.CA, days: float, **options: Any) -> int:
    """A resource checked once against a TLS server whose certificate has ``days`` left; waits until recorded."""
    async with tls_server(server_context(ca, days=days)) as server:
        rid = await make_resource(kairos.client, server.url, **options)
        await check_now(kairos.client, rid)

        def recorded() -> bool:
            state = kairos.runtime.board.state(rid)
            return state is not None and "certificate" in state.last_details

        await wait_for(recorded)
    return rid


async def test_the_resource_page_shows_days_left_not_after_in_the_site_zone_and_the_issuer(
    kairos: Running, ca: trustme.CA
) -> None:
    kairos.runtime.site = SiteSettings(time_zone="Europe/Berlin")
    rid = await checked_resource(kairos, ca, days=5)
    html = (await kairos.anon.get(f"/resources/{rid}")).text
    card = CARD.search(html)
    assert card is not None, html
    text = card.group(1)
    assert "4 days left" in text and "status-cert-expiring" in text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T</time>", text), text  # the site's zone, named
    assert "issued by" in text and "trustme" in text


async def test_a_certificate_far_from_expiry_shows_without_warning(kairos: Running, ca: trustme.CA) -> None:
    rid = await checked_resource(kairos, ca, days=90)
    card = CARD.search((await kairos.anon.get(f"/resources/{rid}")).text)
    assert card is not None and "status-available" in card.group(1) and re.search(r"(89|90) days left", card.group(1))
    assert MARKER.search((await kairos.anon.get("/")).text) is None  # no marker above the threshold


async def test_visitors_who_may_not_see_targets_get_no_certificate_card(kairos: Running, ca: trustme.CA) -> None:
    rid = await checked_resource(kairos, ca, days=5)
    kairos.runtime.site = SiteSettings(show_targets=False)
    anonymous = (await kairos.anon.get(f"/resources/{rid}")).text
    assert 'id="certificate"' not in anonymous and "trustme" not in anonymous
    async with admin_browser(kairos) as browser:  # signed in: targets, so the certificate, are shown
        signed_in = (await browser.get(f"/resources/{rid}")).text
    assert CARD.search(signed_in) is not None


async def test_the_dashboard_marks_a_row_whose_certificate_is_under_its_threshold(
    kairos: Running, ca: trustme.CA
) -> None:
    rid = await checked_resource(kairos, ca, days=5)
    html = (await kairos.anon.get("/")).text
    row = html[html.index(f'data-id="{rid}"') :]
    marker = MARKER.search(row[: row.index("</li>")])
    assert marker is not None and marker.groups() == ("TLS certificate expires in 4 days", "cert 4 d")
    # The live stream carries the same number, so dashboard.js keeps the marker in step; null removes it.
    update = live_update(kairos.runtime, rid, time.time())
    assert update is not None and update["certDays"] == 4


async def test_a_certificate_with_the_expiry_check_off_gets_no_marker(kairos: Running, ca: trustme.CA) -> None:
    rid = await checked_resource(kairos, ca, days=5, certExpiryDays=0)
    assert MARKER.search((await kairos.anon.get("/")).text) is None
    update = live_update(kairos.runtime, rid, time.time())
    assert update is not None and update["certDays"] is None


async def test_the_mcp_status_tool_includes_the_certificate(kairos: Running, ca: trustme.CA) -> None:
    rid = await checked_resource(kairos, ca, days=5)
    async with mcp_client(kairos, await make_key(kairos, "MCP_ACCESS", "STATUS_READ")) as client:
        status = data(await client.call_tool("getResourceStatus", {"resourceId": rid}))
    api = (await kairos.client.get(f"/api/resources/{rid}")).json()["certificate"]
    assert status["certificate"] == api and api["daysLeft"] == 4 and api["expiring"] is True
