"""DNS resources through the REST API against the loopback zone: a scheduled check records its answers, the
instant check answers at once, bad options are a 422 naming the field, and a denied resolver is never asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.support import assert_error, create_resource, wait_for_history, wait_for_status
from tests.harness import Running, make_settings, running_kairos
from tests.servers.dns import DnsServers

URL = "/api/instant-check"


async def test_a_dns_resource_is_checked_and_its_answers_recorded(kairos: Running, zone: DnsServers) -> None:
    options = {"recordType": "MX", "resolver": zone.resolver, "expected": ["10 mail.example.test"]}
    resource = await create_resource(kairos, "Example.TEST.", resourceType="DNS", name="mail", options=options)
    assert resource["target"] == "example.test" and resource["options"]["resolver"] == zone.resolver
    await wait_for_status(kairos, resource["id"], "available")
    await kairos.runtime.scheduler.flush_results()
    latest = (await wait_for_history(kairos, resource["id"]))[0]
    assert latest["status"] == "AVAILABLE" and "10 mail.example.test" in latest["message"]
    assert [q.qtype for q in zone.queries_for("example.test")][:1] == ["MX"]


async def test_a_resource_whose_answer_changed_becomes_not_available(kairos: Running, zone: DnsServers) -> None:
    options = {"resolver": zone.resolver, "expected": ["192.0.2.1", "192.0.2.3"], "match": "all"}
    resource = await create_resource(kairos, "example.test", resourceType="DNS", name="a", options=options)
    await kairos.runtime.scheduler.flush_results()
    latest = (await wait_for_history(kairos, resource["id"]))[0]
    assert latest["status"] == "NOT_AVAILABLE" and latest["errorCode"] == "dns_unexpected"


async def test_the_instant_check_answers_with_the_query_time(kairos: Running, zone: DnsServers) -> None:
    options = {"recordType": "SRV", "resolver": zone.resolver}
    body = {"resourceType": "DNS", "target": "_sip._tcp.example.test", "options": options}
    r = await kairos.client.post(URL, json=body)
    assert r.status_code == 200, r.text
    verdict = r.json()
    assert verdict["status"] == "AVAILABLE" and verdict["errorCode"] is None
    assert verdict["phases"]["dnsMs"] is not None and verdict["phases"]["connectMs"] is None
    assert verdict["details"]["answers"] == ["10 5 5060 sip.example.test"]
    missing = (await kairos.client.post(URL, json={**body, "target": "nope.example.test"})).json()
    assert missing["status"] == "NOT_AVAILABLE" and missing["errorCode"] == "dns_nxdomain"


@pytest.mark.parametrize(
    ("target", "options", "field"),
    [
        ("example.test", {"recordType": "PTR"}, "options.recordType"),
        ("example.test", {"resolver": "dns.google:53"}, "options.resolver"),
        ("example.test", {"resolver": "127.0.0.1:99999"}, "options.resolver"),
        ("example.test", {"recordType": "A", "expected": ["not-an-address"]}, "options.expected"),
        ("example.test", {"recordType": "MX", "expected": ["ten mail.example.test"]}, "options.expected"),
        ("example.test", {"transport": "quic"}, "options.transport"),
        ("example.test", {"match": "most"}, "options.match"),
        ("example.test", {"expected": ["192.0.2.1"] * 51}, "options.expected"),
        ("exa mple.test", {}, "target"),
        ("192.0.2.1", {}, "target"),
    ],
)
async def test_bad_options_are_refused_naming_the_field(
    kairos: Running, target: str, options: dict[str, Any], field: str
) -> None:
    body = {"name": "bad", "resourceType": "DNS", "target": target, "options": options}
    error = assert_error(await kairos.client.post("/api/resources", json=body), 422, "validation_error")
    assert error["field"].startswith(field), error
    assert (await kairos.client.get("/api/resources")).json() == []


async def test_a_resolver_in_a_denied_network_is_never_asked(db_url: str, tmp_path: Path, zone: DnsServers) -> None:
    settings = make_settings(db_url, tmp_path, denied_networks="127.0.0.0/8, ::1/128")
    async with running_kairos(settings) as kairos:
        body = {"resourceType": "DNS", "target": "example.test", "options": {"resolver": zone.resolver}}
        verdict = (await kairos.client.post(URL, json=body)).json()
        assert verdict["status"] == "UNKNOWN" and verdict["errorCode"] == "target_denied"
        resource = await create_resource(kairos, "example.test", resourceType="DNS", options=body["options"])
        await kairos.runtime.scheduler.flush_results()
        latest = (await wait_for_history(kairos, resource["id"]))[0]
        assert latest["status"] == "UNKNOWN" and latest["errorCode"] == "target_denied"
    assert zone.queries_for("example.test") == []


async def test_the_resource_types_list_the_dns_kind_with_its_defaults(kairos: Running) -> None:
    types = {t["resourceType"]: t for t in (await kairos.anon.get("/api/resource-types")).json()}
    assert types["DNS"]["intervalSeconds"] == 60 and types["DNS"]["timeoutSeconds"] == 5.0
