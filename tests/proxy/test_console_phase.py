"""The proxy phase is shown where the others are: the resource page's check history (a Proxy column when a
result on the page went through a proxy), the instant check's verdict and the phase histogram of the
metrics, after real checks through pproxy."""

from __future__ import annotations

import re

from tests.harness import Running
from tests.net.listener import listening
from tests.proxy.proxies import Pproxy
from tests.web.pages import admin_browser, post_form

PROXY_CELL = re.compile(r'<td class="right nowrap" data-phase="proxy">([^<]+)</td>')


async def _checked(kairos: Running, target: str, proxy: str) -> int:
    body = {"name": f"via {proxy}", "resourceType": "HTTP", "target": target, "active": False, "proxy": proxy}
    r = await kairos.client.post("/api/resources", json=body)
    assert r.status_code == 201, r.text
    rid = int(r.json()["id"])
    assert (await kairos.client.post(f"/api/resources/{rid}/check")).json()["status"] == "AVAILABLE"
    return rid


async def test_the_history_has_a_proxy_column_only_for_results_through_a_proxy(
    kairos: Running, open_proxy: Pproxy
) -> None:
    await kairos.client.post("/api/proxies", json={"name": "corp", "url": open_proxy.url("http")})
    async with listening() as target:
        through = await _checked(kairos, target.url, "corp")
        direct = await _checked(kairos, target.url, "direct")
    await kairos.runtime.scheduler.flush_results()
    page = (await kairos.anon.get(f"/resources/{through}")).text
    assert '<th scope="col" class="right">Proxy</th>' in page
    (shown,) = PROXY_CELL.findall(page)
    assert shown.strip().endswith("ms"), shown
    plain = (await kairos.anon.get(f"/resources/{direct}")).text
    assert 'id="history-table"' in plain and ">Proxy</th>" not in plain and 'data-phase="proxy"' not in plain


async def test_the_instant_check_verdict_shows_the_proxy_phase(kairos: Running, open_proxy: Pproxy) -> None:
    r = await kairos.client.put("/api/proxies/default", json={"url": open_proxy.url("socks5")})
    assert r.status_code == 200, r.text
    async with listening() as target, admin_browser(kairos) as browser:
        r = await post_form(browser, "/admin/instant-check", {"resourceType": "HTTP", "target": target.url})
    assert r.status_code == 200 and "AVAILABLE" in r.text
    assert "<dt>Proxy</dt>" in r.text and 'data-phase="proxyMs"' in r.text
    assert 'data-phase="connectMs"' not in r.text  # Kairos did not connect to the target itself


async def test_the_phase_histogram_has_a_proxy_phase_for_checks_through_a_proxy(
    kairos: Running, open_proxy: Pproxy
) -> None:
    await kairos.client.post("/api/proxies", json={"name": "corp", "url": open_proxy.url("http")})
    async with listening() as target:
        await _checked(kairos, target.url, "corp")
    text = (await kairos.anon.get("/actuator/prometheus")).text
    assert 'kairos_check_phase_seconds_count{phase="proxy",resource_type="HTTP"} 1.0' in text
    assert 'phase="connect",resource_type="HTTP"}' not in text  # the one check never connected itself
