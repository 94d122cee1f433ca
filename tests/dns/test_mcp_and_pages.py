"""The DNS kind through the MCP tools, the console's instant check and what anonymous visitors may read of
its results when the site hides targets."""

from __future__ import annotations

from kairos.services.site import SiteSettings
from tests.api.support import create_resource, wait_for_history, wait_for_status
from tests.harness import Running
from tests.mcp.support import data, error, make_key, mcp_client
from tests.servers.dns import DnsServers
from tests.web.pages import admin_browser, post_form


async def test_mcp_creates_a_dns_resource_and_runs_an_instant_check(kairos: Running, zone: DnsServers) -> None:
    key = await make_key(kairos, "MCP_ACCESS", "RESOURCE_MANAGE", "CHECK_EXECUTE", "STATUS_READ")
    options = {"recordType": "CAA", "resolver": zone.resolver, "expected": ["issue letsencrypt.org"]}
    async with mcp_client(kairos, key) as client:
        args = {"name": "caa", "resourceType": "dns", "target": "example.test", "options": options}
        created = data(await client.call_tool("createResource", args))
        nxdomain = {"resourceType": "DNS", "target": "nope.example.test", "options": {"resolver": zone.resolver}}
        instant = data(await client.call_tool("runInstantCheck", nxdomain))
        bad = {**args, "options": {"recordType": "SOA", "expected": ["1 2"]}}
        error(await client.call_tool("createResource", bad), "validation_error", "options.expected")
    assert created["resourceType"] == "DNS"
    await wait_for_status(kairos, created["id"], "available")
    assert instant["status"] == "NOT_AVAILABLE" and instant["errorCode"] == "dns_nxdomain"


async def test_the_console_instant_check_runs_a_dns_query(kairos: Running, zone: DnsServers) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/instant-check")
        assert 'id="ic-dns-recordType"' in page.text
        form = {
            "resourceType": "DNS",
            "target": "example.test",
            "options.recordType": "TXT",
            "options.resolver": zone.resolver,
            "options.transport": "tcp",
            "options.expected": "v=spf1 -all",
            "options.match": "any",
        }
        r = await post_form(browser, "/admin/instant-check", form)
        assert r.status_code == 200 and "AVAILABLE" in r.text and 'data-phase="dnsMs"' in r.text
        assert "v=spf1 -all" in r.text
        form["options.resolver"] = "resolver.example.test"
        refused = await post_form(browser, "/admin/instant-check", form)
        assert refused.status_code == 422 and "not an IP address" in refused.text
    assert [q.transport for q in zone.queries_for("example.test")] == ["tcp"]
    assert (await kairos.client.get("/api/resources")).json() == []


async def test_with_targets_hidden_anonymous_visitors_see_no_answers_or_resolver(
    kairos: Running, zone: DnsServers
) -> None:
    options = {"recordType": "MX", "resolver": zone.resolver}
    created = await create_resource(kairos, "example.test", resourceType="DNS", options=options)
    await wait_for_status(kairos, created["id"], "available")
    await kairos.runtime.scheduler.flush_results()
    await wait_for_history(kairos, created["id"])
    kairos.runtime.site = SiteSettings(show_targets=False)
    history = (await kairos.anon.get(f"/api/resources/{created['id']}/history")).json()
    assert history and "mail.example.test" not in str(history) and zone.resolver not in str(history)
    anon = (await kairos.anon.get(f"/api/resources/{created['id']}")).json()
    assert anon["target"] is None and "example.test" not in str(anon)
    admin = (await kairos.client.get(f"/api/resources/{created['id']}/history")).json()
    assert "10 mail.example.test" in str(admin)
