"""The HTTP probe against real loopback servers: verdicts, codes, messages and phases."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kairos.probes.base import Credential, ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.http import HttpConfig, probe
from tests.servers.http_app import BASIC_PASSWORD, BASIC_USER, Servers

ALICE = Credential(BASIC_USER, BASIC_PASSWORD)


def ctx(target: str, **options: object) -> ProbeContext:
    values: dict[str, object] = {"timeout_s": 5.0, "max_body_bytes": 100_000} | options
    return ProbeContext(target=target, **values)  # type: ignore[arg-type]


async def check(target: str, config: HttpConfig | None = None, **options: object) -> ProbeResult:
    try:
        return await probe(config or HttpConfig(), ctx(target, **options))
    except ProbeFailure as failure:
        return failure.to_result()


async def test_it_marks_a_200_available_with_phases(servers: Servers) -> None:
    result = await check(servers.http + "/status/200")
    assert result.status is Status.AVAILABLE and result.http_status == 200
    assert result.message.startswith("HTTP 200 OK in ") and result.message.endswith(" ms")
    assert result.phases.connect_ms is not None and result.phases.total_ms is not None
    assert result.details == {"final_url": servers.http + "/status/200", "redirects": 0}


async def test_it_marks_a_503_not_available_with_http_status(servers: Servers) -> None:
    result = await check(servers.http + "/status/503")
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "http_status")
    assert result.message == "HTTP 503 Service Unavailable" and result.http_status == 503
    assert result.phases.ttfb_ms is not None


@pytest.mark.parametrize(
    ("accepted", "code", "status"),
    [
        (["503"], 503, Status.AVAILABLE),
        (["2xx", "300-399"], 302, Status.AVAILABLE),
        (["200-204"], 204, Status.AVAILABLE),
        (["200-204"], 205, Status.NOT_AVAILABLE),
        (["4xx"], 200, Status.NOT_AVAILABLE),
    ],
)
async def test_it_judges_status_codes_by_the_accepted_list(
    servers: Servers, accepted: list[str], code: int, status: Status
) -> None:
    config = HttpConfig(acceptedStatusCodes=accepted, followRedirects=False)
    assert (await check(f"{servers.http}/status/{code}", config)).status is status


async def test_it_sends_custom_headers(servers: Servers) -> None:
    config = HttpConfig(headers={"X-Kairos-Test": "sent"}, bodyContains='["X-Kairos-Test", "sent"]')
    result = await check(servers.http + "/headers", config, user_agent="Kairos-Monitor/test")
    assert result.status is Status.AVAILABLE


async def test_it_sends_our_user_agent(servers: Servers) -> None:
    config = HttpConfig(bodyContains='["User-Agent", "Kairos-Monitor/test"]')
    result = await check(servers.http + "/headers", config, user_agent="Kairos-Monitor/test")
    assert result.status is Status.AVAILABLE


async def test_it_sends_basic_credentials(servers: Servers) -> None:
    assert (await check(servers.http + "/basic", credential=ALICE)).status is Status.AVAILABLE
    denied = await check(servers.http + "/basic")
    assert (denied.error_code, denied.http_status) == ("http_status", 401)


async def test_it_does_not_send_credentials_to_another_origin_on_redirect(servers: Servers) -> None:
    result = await check(f"{servers.http}/redirect-to?url={servers.http_other}/basic", credential=ALICE)
    assert (result.status, result.http_status) == (Status.NOT_AVAILABLE, 401)


async def test_it_follows_redirects_within_the_limit(servers: Servers) -> None:
    result = await check(servers.http + "/redirect/3", HttpConfig(maxRedirects=3))
    assert result.status is Status.AVAILABLE
    assert result.details["redirects"] == 3 and result.details["final_url"] == servers.http + "/status/200"


async def test_it_fails_when_redirects_exceed_the_limit(servers: Servers) -> None:
    result = await check(servers.http + "/redirect/3", HttpConfig(maxRedirects=2))
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "too_many_redirects")


async def test_it_reports_a_redirect_loop_as_too_many_redirects(servers: Servers) -> None:
    result = await check(servers.http + "/redirect-loop")
    assert result.error_code == "too_many_redirects"


async def test_it_judges_the_redirect_itself_when_not_following(servers: Servers) -> None:
    result = await check(servers.http + "/redirect/1", HttpConfig(followRedirects=False))
    assert (result.error_code, result.http_status) == ("http_status", 302)


async def test_it_times_out_a_slow_server_within_the_timeout(servers: Servers) -> None:
    result = await check(servers.http + "/slow?ms=5000", timeout_s=0.2)
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "timeout")
    assert result.phases.connect_ms is not None


async def test_it_caps_an_endless_body_and_still_judges(servers: Servers) -> None:
    result = await check(servers.http + "/huge", max_body_bytes=128 * 1024)
    assert result.status is Status.AVAILABLE and result.details["truncated"] is True


async def test_it_checks_that_the_body_contains_a_keyword(servers: Servers) -> None:
    found = await check(servers.http + "/text", HttpConfig(bodyContains="Kairos says"))
    assert found.status is Status.AVAILABLE
    missing = await check(servers.http + "/text", HttpConfig(bodyContains="goodbye"))
    assert (missing.error_code, missing.http_status) == ("body_mismatch", 200)
    assert "'goodbye' is not in the body" in missing.message


async def test_it_marks_a_self_signed_certificate_tls_invalid(servers: Servers) -> None:
    result = await check(servers.https_self_signed + "/status/200")
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "tls_invalid")
    assert "self-signed" in result.message


async def test_it_accepts_a_self_signed_certificate_when_told_to_skip_tls(servers: Servers) -> None:
    result = await check(servers.https_self_signed + "/status/200", skip_tls=True)
    assert result.status is Status.AVAILABLE and result.phases.tls_ms is not None


@pytest.mark.parametrize(("path", "code"), [("/reset", "connection_reset"), ("/garbage", "protocol_error")])
async def test_it_classifies_a_misbehaving_server(servers: Servers, path: str, code: str) -> None:
    result = await check(servers.http + path)
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, code)


async def test_it_reports_a_refused_connection(servers: Servers) -> None:
    result = await check(f"http://127.0.0.1:{servers.closed_port}/")
    assert (result.error_code, result.phases.dns_ms) == ("connect_refused", 0.0)


async def test_it_reports_a_name_that_does_not_resolve() -> None:
    result = await check("http://kairos-probe-test.invalid/")
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "dns_failed")


async def test_it_gives_no_verdict_for_an_invalid_stored_url() -> None:
    result = await check("ftp://127.0.0.1/")
    assert (result.status, result.error_code) == (Status.UNKNOWN, "invalid_target")


@pytest.mark.parametrize(
    "data",
    [
        {"acceptedStatusCodes": ["2xy"]},
        {"acceptedStatusCodes": ["600"]},
        {"acceptedStatusCodes": ["299-200"]},
        {"acceptedStatusCodes": []},
        {"headers": {"X-Bad": "line\r\nInjected: yes"}},
        {"headers": {"Bad Name": "x"}},
        {"headers": {"Host": "example.com"}},
        {"method": "TRACE"},  # POST and friends are allowed since issue 15 (docs/http-checks.md)
        {"method": "HEAD", "bodyContains": "x"},
        {"maxRedirects": 21},
        {"maxRedirect": 3},
    ],
)
def test_it_refuses_invalid_options(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        HttpConfig.model_validate(data)


def test_it_accepts_any_2xx_by_default() -> None:
    config = HttpConfig()
    assert config.accepts(200) and config.accepts(299) and not config.accepts(301)
