"""The DNS probe against a real DNS server on loopback: every record type, the normalised comparison of
expected values, each failure's code, the AD flag, the transport and the target policy."""

from __future__ import annotations

from typing import Any

import pytest

from kairos.net.denylist import parse_networks
from kairos.probes.base import ProbeContext, ProbeResult, Status
from kairos.probes.kinds import parse_config, run_probe
from tests.servers.dns import DnsServers


async def check(zone: DnsServers, name: str, timeout_s: float = 3.0, **options: Any) -> ProbeResult:
    options.setdefault("resolver", zone.resolver)
    return await run_probe("DNS", parse_config("DNS", options), ProbeContext(name, timeout_s))


@pytest.mark.parametrize(
    ("name", "record_type", "answers"),
    [
        ("example.test", "A", ["192.0.2.1", "192.0.2.2"]),
        ("example.test", "AAAA", ["2001:db8::1"]),
        ("example.test", "MX", ["10 mail.example.test", "20 backup.example.test"]),
        ("example.test", "TXT", ["v=spf1 -all", "part one part two"]),
        ("example.test", "NS", ["ns1.example.test"]),
        ("example.test", "SOA", ["ns1.example.test hostmaster.example.test 2026120501 3600 600 86400 60"]),
        ("example.test", "CAA", ["0 issue letsencrypt.org"]),
        ("www.example.test", "CNAME", ["example.test"]),
        ("_sip._tcp.example.test", "SRV", ["10 5 5060 sip.example.test"]),
    ],
)
async def test_each_record_type_is_available_with_its_answers_in_normal_form(
    zone: DnsServers, name: str, record_type: str, answers: list[str]
) -> None:
    result = await check(zone, name, recordType=record_type)
    assert result.status is Status.AVAILABLE, result.message
    assert sorted(result.details["answers"]) == sorted(answers)
    assert result.details["record_type"] == record_type and result.details["ttl"] == 60
    assert result.phases.dns_ms is not None and result.phases.connect_ms is None
    assert result.phases.total_ms == result.phases.dns_ms


@pytest.mark.parametrize(
    ("record_type", "expected"),
    [
        ("A", ["192.0.2.2"]),
        ("AAAA", ["2001:DB8:0::1"]),  # the same address spelt otherwise
        ("MX", ["10 Mail.Example.Test."]),  # case and the trailing dot do not matter
        ("MX", ["backup.example.test"]),  # the exchange alone, whatever its preference
        ("TXT", ['"v=spf1 -all"']),  # quotes optional
        ("TXT", ["part one part two"]),  # a record of several strings is compared joined
        ("CAA", ["issue letsencrypt.org"]),  # the flags may be left out
        ("CAA", ['0 ISSUE "letsencrypt.org"']),
        ("SOA", ["NS1.example.test"]),
        ("NS", ["ns1.example.test."]),
    ],
)
async def test_expected_values_match_in_normal_form(zone: DnsServers, record_type: str, expected: list[str]) -> None:
    result = await check(zone, "example.test", recordType=record_type, expected=expected)
    assert result.status is Status.AVAILABLE, result.message


async def test_srv_matches_in_full_or_by_target(zone: DnsServers) -> None:
    for expected in ("10 5 5060 SIP.example.test.", "sip.example.test"):
        result = await check(zone, "_sip._tcp.example.test", recordType="SRV", expected=[expected])
        assert result.status is Status.AVAILABLE, result.message
    wrong_port = await check(zone, "_sip._tcp.example.test", recordType="SRV", expected=["10 5 5061 sip.example.test"])
    assert wrong_port.error_code == "dns_unexpected"


async def test_any_needs_one_expected_value_and_all_needs_every_one(zone: DnsServers) -> None:
    expected = ["192.0.2.1", "192.0.2.99"]
    assert (await check(zone, "example.test", expected=expected)).status is Status.AVAILABLE
    missing = await check(zone, "example.test", expected=expected, match="all")
    assert missing.status is Status.NOT_AVAILABLE and missing.error_code == "dns_unexpected"
    assert "expected all of [192.0.2.1, 192.0.2.99]" in missing.message
    assert "got [192.0.2.1, 192.0.2.2]" in missing.message
    both = await check(zone, "example.test", expected=["192.0.2.2", "192.0.2.1"], match="all")
    assert both.status is Status.AVAILABLE


async def test_an_unexpected_answer_says_what_was_expected_and_what_came_cut_short(zone: DnsServers) -> None:
    expected = [f"v=wanted-{n}-" + "x" * 100 for n in range(10)]
    result = await check(zone, "example.test", recordType="TXT", expected=expected)
    assert result.error_code == "dns_unexpected" and result.status is Status.NOT_AVAILABLE
    assert "more]" in result.message and len(result.message) < 600
    assert "got [v=spf1 -all, part one part two]" in result.message


async def test_a_cname_is_followed_for_other_types(zone: DnsServers) -> None:
    result = await check(zone, "www.example.test", expected=["192.0.2.1"])
    assert result.status is Status.AVAILABLE, result.message


@pytest.mark.parametrize(
    ("name", "options", "code", "words"),
    [
        ("missing.example.test", {}, "dns_nxdomain", "does not exist"),
        ("mail.example.test", {"recordType": "MX"}, "dns_no_answer", "no MX record"),
        ("servfail.example.test", {}, "dns_server_failure", "SERVFAIL"),
        ("refused.example.test", {"transport": "tcp"}, "dns_server_failure", "REFUSED"),
    ],
)
async def test_failures_have_their_own_codes(
    zone: DnsServers, name: str, options: dict[str, Any], code: str, words: str
) -> None:
    result = await check(zone, name, **options)
    assert result.status is Status.NOT_AVAILABLE and result.error_code == code
    assert words in result.message and result.phases.dns_ms is not None


@pytest.mark.parametrize("transport", ["udp", "tcp"])
async def test_a_silent_server_is_a_dns_timeout(zone: DnsServers, transport: str) -> None:
    result = await check(zone, "example.test", timeout_s=0.5, resolver=zone.silent, transport=transport)
    assert result.status is Status.NOT_AVAILABLE and result.error_code == "dns_timeout"
    assert zone.silent in result.message


@pytest.mark.parametrize("transport", ["udp", "tcp"])
async def test_the_query_goes_over_the_chosen_transport(zone: DnsServers, transport: str) -> None:
    result = await check(zone, "example.test", recordType="MX", transport=transport)
    assert result.status is Status.AVAILABLE and result.details["transport"] == transport
    assert [q.transport for q in zone.queries_for("example.test")] == [transport]


async def test_required_authenticated_data_needs_the_ad_flag(zone: DnsServers) -> None:
    secure = await check(zone, "secure.example.test", requireAuthenticatedData=True)
    assert secure.status is Status.AVAILABLE and secure.details["authenticated"] is True
    plain = await check(zone, "example.test", requireAuthenticatedData=True)
    assert plain.status is Status.NOT_AVAILABLE and plain.error_code == "dns_not_authenticated"
    assert all(q.ad_asked for q in zone.queries_for("example.test"))  # RFC 6840: asked for in the query
    not_required = await check(zone, "example.test")
    assert not_required.status is Status.AVAILABLE and not_required.details["authenticated"] is False


async def test_a_resolver_in_a_denied_network_is_never_asked(zone: DnsServers) -> None:
    ctx = ProbeContext("example.test", 3.0, policy=parse_networks("127.0.0.0/8"))
    result = await run_probe("DNS", parse_config("DNS", {"resolver": zone.resolver}), ctx)
    assert result.status is Status.UNKNOWN and result.error_code == "target_denied"
    assert "loopback" in result.message and "127.0.0.1" in result.message
    assert zone.queries_for("example.test") == []


async def test_a_stored_target_that_is_not_a_name_is_unknown(zone: DnsServers) -> None:
    result = await check(zone, "bad name!")
    assert result.status is Status.UNKNOWN and result.error_code == "invalid_target"
