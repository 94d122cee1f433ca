"""``kairos check dns`` as a real subprocess, the console's resource form and config as code, all against the
loopback zone."""

from __future__ import annotations

import re

import pytest

from tests.api.support import wait_for_status
from tests.cli.test_cli import kairos_cli
from tests.harness import Running
from tests.servers.dns import DnsServers
from tests.web.pages import admin_browser, post_form


async def test_check_dns_prints_the_query_time_and_the_answers(zone: DnsServers) -> None:
    done = await kairos_cli("check", "dns", "example.test", "--type", "mx", "--resolver", zone.resolver, "--tcp")
    assert done.code == 0, done
    assert "DNS" in done.out and "total" in done.out and "connect" not in done.out
    assert "answer      10 mail.example.test" in done.out and "(TCP)" in done.out
    assert [q.transport for q in zone.queries_for("example.test")] == ["tcp"]


async def test_check_dns_exits_1_on_an_unexpected_answer_and_says_why(zone: DnsServers) -> None:
    args = ("check", "dns", "example.test", "--resolver", zone.resolver, "-e", "192.0.2.1", "-e", "192.0.2.7")
    assert (await kairos_cli(*args)).code == 0  # any
    done = await kairos_cli(*args, "--all")
    assert done.code == 1 and "dns_unexpected" in done.out and "expected all of" in done.out


async def test_check_dns_reports_a_missing_ad_flag(zone: DnsServers) -> None:
    done = await kairos_cli("check", "dns", "example.test", "--resolver", zone.resolver, "--require-ad")
    assert done.code == 1 and "dns_not_authenticated" in done.out and "AD flag" in done.out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("check", "dns", "example.test", "--type", "PTR"), "recordType"),
        (("check", "dns", "example.test", "--resolver", "dns.google"), "resolver"),
        (("check", "dns", "not a name"), "invalid target"),
        (("check", "dns", "example.test", "-e", "no-address"), "expected"),
    ],
)
async def test_check_dns_refuses_bad_input_in_one_line(args: tuple[str, ...], words: str) -> None:
    done = await kairos_cli(*args)
    assert done.code == 2 and words in done.err and "Traceback" not in done.err
    assert len(done.err.strip().splitlines()) == 1


async def test_an_admin_adds_a_dns_resource_through_the_form(kairos: Running, zone: DnsServers) -> None:
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/resources/new?kind=DNS")
        assert page.status_code == 200 and 'name="options.recordType"' in page.text
        assert '<textarea id="opt-expected" name="options.expected"' in page.text
        fields = {
            "name": "mail",
            "target": "example.test",
            "active": "on",
            "options.recordType": "MX",
            "options.resolver": zone.resolver,
            "options.transport": "udp",
            "options.expected": "10 mail.example.test\r\n\r\n20 backup.example.test\r\n",
            "options.match": "all",
        }
        r = await post_form(browser, "/admin/resources/new?kind=DNS", fields)
        assert r.status_code == 303, r.text
        created = int(re.search(r"created=(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
        body = await wait_for_status(kairos, created, "available")
        assert body["options"]["expected"] == ["10 mail.example.test", "20 backup.example.test"]
        edit = await browser.get(f"/admin/resources/{created}/edit")
        assert "10 mail.example.test\n20 backup.example.test</textarea>" in edit.text


async def test_the_form_shows_a_bad_expected_value_next_to_its_field(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        fields = {"name": "bad", "target": "example.test", "active": "on", "options.recordType": "AAAA"}
        fields["options.expected"] = "192.0.2.1"
        r = await post_form(browser, "/admin/resources/new?kind=DNS", fields)
        assert r.status_code == 422
        assert re.search(r'id="opt-expected-error">[^<]*not an IPv6 address', r.text), r.text


async def test_config_as_code_creates_a_dns_resource(kairos: Running, zone: DnsServers) -> None:
    text = f"""apiVersion: kairos/v1
kind: KairosConfig
resources:
  - name: spf
    type: DNS
    target: example.test
    options: {{recordType: TXT, resolver: "{zone.resolver}", expected: ["v=spf1 -all"]}}
"""
    r = await kairos.client.post("/api/config/import", content=text.encode(), params={"dryRun": "false"})
    assert r.status_code == 200, r.text
    created = next(x for x in (await kairos.client.get("/api/resources")).json() if x["name"] == "spf")
    assert (await wait_for_status(kairos, created["id"], "available"))["options"]["recordType"] == "TXT"
    bad = text.replace("v=spf1 -all", "x").replace("TXT", "AAAA")
    refused = await kairos.client.post("/api/config/import", content=bad.encode(), params={"dryRun": "false"})
    assert refused.status_code == 422 and "expected" in refused.text
