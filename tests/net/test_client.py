"""net.fetch against real loopback servers: phases, headers, credentials, redirects, limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kairos import net
from kairos.net import FetchResult, Session, fetch
from tests.servers.http_app import BASIC_PASSWORD, BASIC_USER, Servers

CREDS = (BASIC_USER, BASIC_PASSWORD)


async def get(url: str, **options: Any) -> FetchResult:
    params: dict[str, Any] = {"timeout_s": 5.0, "max_body_bytes": 1_000_000, "user_agent": "Kairos-Test/1"}
    return await fetch(url, **(params | options))


def echoed_headers(result: FetchResult) -> dict[str, str]:
    return {name.lower(): value for name, value in json.loads(result.body)["headers"]}


async def test_it_times_every_phase_of_a_plain_http_request(servers: Servers) -> None:
    result = await get(servers.http + "/status/200")
    assert (result.status, result.reason, result.body) == (200, "OK", b"status 200")
    phases = result.phases
    assert phases.dns_ms == 0.0  # an IP literal needs no lookup
    assert phases.connect_ms is not None and phases.ttfb_ms is not None and phases.total_ms is not None
    assert phases.tls_ms is None  # no TLS on plain HTTP
    assert result.address == "127.0.0.1"


async def test_it_times_the_tls_handshake_as_its_own_phase(servers: Servers) -> None:
    result = await get(servers.https + "/status/200", ca_context=servers.ca_context)
    assert result.status == 200
    assert result.phases.tls_ms is not None and result.phases.connect_ms is not None


async def test_it_resolves_a_host_name_and_times_the_lookup(servers: Servers) -> None:
    # localhost may resolve to ::1 first, where nothing listens on this port: the next address is tried.
    result = await get(f"http://localhost:{servers.http_port}/status/204")
    assert result.status == 204
    assert result.phases.dns_ms is not None


async def test_it_connects_to_a_bracketed_ipv6_literal(servers: Servers) -> None:
    if servers.ipv6_port is None:
        pytest.skip("this machine has no IPv6 loopback")
    result = await get(f"http://[::1]:{servers.ipv6_port}/status/200")
    assert result.status == 200 and result.address == "::1"


async def test_it_sends_host_user_agent_and_custom_headers(servers: Servers) -> None:
    result = await get(servers.http + "/headers", headers={"X-Kairos-Test": "yes"}, user_agent="Probe/9")
    sent = echoed_headers(result)
    assert sent["host"] == servers.http.removeprefix("http://")
    assert sent["user-agent"] == "Probe/9"
    assert sent["x-kairos-test"] == "yes"
    assert sent["connection"] == "close"


async def test_it_never_lets_a_caller_override_framing_headers(servers: Servers) -> None:
    result = await get(servers.http + "/headers", headers=[("Host", "evil.example"), ("Content-Length", "5")])
    sent = echoed_headers(result)
    assert sent["host"] != "evil.example" and "content-length" not in sent


async def test_it_sends_basic_credentials(servers: Servers) -> None:
    assert (await get(servers.http + "/basic", auth=CREDS)).status == 200
    assert (await get(servers.http + "/basic")).status == 401


async def test_it_does_not_send_credentials_to_another_origin_after_a_redirect(servers: Servers) -> None:
    url = f"{servers.http}/redirect-to?url={servers.http_other}/headers"
    result = await get(url, auth=CREDS, headers={"Authorization": "Bearer secret-token"})
    assert result.url == servers.http_other + "/headers"
    assert "authorization" not in echoed_headers(result)


async def test_it_keeps_credentials_on_a_same_origin_redirect(servers: Servers) -> None:
    result = await get(f"{servers.http}/redirect-to?url=/basic", auth=CREDS)
    assert result.status == 200 and len(result.redirects) == 1


async def test_it_asks_auth_for_for_credentials_of_another_origin(servers: Servers) -> None:
    asked: list[str] = []

    def auth_for(url: str) -> tuple[str, str] | None:
        asked.append(url)
        return CREDS if url.startswith(servers.http_other) else None

    result = await get(f"{servers.http}/redirect-to?url={servers.http_other}/basic", auth_for=auth_for)
    assert result.status == 200
    assert asked[-1] == servers.http_other + "/basic"


async def test_it_follows_a_redirect_chain_within_the_limit(servers: Servers) -> None:
    result = await get(servers.http + "/redirect/3", max_redirects=3)
    assert result.status == 200 and result.url == servers.http + "/status/200"
    assert [r.status for r in result.redirects] == [302, 302, 302]
    assert result.redirects[0].location == servers.http + "/redirect/2"


async def test_it_stops_after_the_redirect_limit(servers: Servers) -> None:
    with pytest.raises(net.TooManyRedirects) as caught:
        await get(servers.http + "/redirect/4", max_redirects=3)
    assert caught.value.code == "too_many_redirects"


async def test_it_reports_a_redirect_loop_as_too_many_redirects(servers: Servers) -> None:
    with pytest.raises(net.TooManyRedirects, match="loop"):
        await get(servers.http + "/redirect-loop")


async def test_it_refuses_a_redirect_to_another_scheme(servers: Servers) -> None:
    with pytest.raises(net.RedirectInvalid, match="scheme 'ftp'") as caught:
        await get(servers.http + "/redirect-to?url=ftp://127.0.0.1/file")
    assert caught.value.code == "redirect_invalid"


async def test_it_refuses_a_redirect_without_a_location(servers: Servers) -> None:
    with pytest.raises(net.RedirectInvalid, match="no Location"):
        await get(servers.http + "/no-location")


async def test_it_returns_the_redirect_itself_when_told_not_to_follow(servers: Servers) -> None:
    result = await get(servers.http + "/redirect/2", follow_redirects=False)
    assert result.status == 302 and result.header("LOCATION") == "/redirect/1" and result.redirects == []


async def test_it_reads_no_body_for_head(servers: Servers) -> None:
    result = await get(servers.http + "/text", method="HEAD")
    assert result.status == 200 and result.body == b"" and result.header("content-length") != "0"


async def test_it_caps_an_endless_body_and_says_so(servers: Servers) -> None:
    result = await get(servers.http + "/huge", max_body_bytes=256 * 1024)
    assert result.status == 200
    assert result.truncated and len(result.body) == 256 * 1024


async def test_it_gives_up_on_a_server_that_answers_too_late(servers: Servers) -> None:
    with pytest.raises(net.Timeout, match="waiting for the response") as caught:
        await get(servers.http + "/slow?ms=5000", timeout_s=0.2)
    assert caught.value.code == "timeout"
    assert caught.value.phases is not None and caught.value.phases.connect_ms is not None


async def test_it_gives_up_on_a_body_that_trickles(servers: Servers) -> None:
    with pytest.raises(net.Timeout, match="reading the response"):
        await get(servers.http + "/trickle", timeout_s=0.3)


async def test_it_gives_up_on_a_listener_that_never_answers(servers: Servers) -> None:
    with pytest.raises(net.Timeout):
        await get(f"http://127.0.0.1:{servers.silent_port}/", timeout_s=0.2)


async def test_it_reports_a_connect_that_hangs_as_connect_timeout(servers: Servers) -> None:
    with pytest.raises(net.ConnectTimeout) as caught:
        await get(f"http://127.0.0.1:{servers.full_backlog_port}/", timeout_s=0.2)
    assert caught.value.code == "connect_timeout"


async def test_it_reports_a_refused_connection(servers: Servers) -> None:
    with pytest.raises(net.ConnectRefused, match=f"127.0.0.1:{servers.closed_port}") as caught:
        await get(f"http://127.0.0.1:{servers.closed_port}/")
    assert caught.value.code == "connect_refused"


async def test_it_reports_a_reset_connection(servers: Servers) -> None:
    with pytest.raises(net.ConnectionReset) as caught:
        await get(servers.http + "/reset")
    assert caught.value.code == "connection_reset"


async def test_it_reports_a_server_that_hangs_up_without_answering(servers: Servers) -> None:
    with pytest.raises(net.ConnectionReset, match="without answering"):
        await get(servers.http + "/close")


async def test_it_reports_garbage_as_a_protocol_error(servers: Servers) -> None:
    with pytest.raises(net.ProtocolError) as caught:
        await get(servers.http + "/garbage")
    assert caught.value.code == "protocol_error"
    assert "\n" not in caught.value.message and "SSH-2.0" in caught.value.message


async def test_it_reports_a_name_that_does_not_exist(servers: Servers) -> None:
    # RFC 6761: names under .invalid never resolve, and resolvers answer that without asking anyone.
    with pytest.raises(net.DnsFailed, match=r"kairos-test\.invalid") as caught:
        await get("http://kairos-test.invalid/")
    assert caught.value.code == "dns_failed"


async def test_it_rejects_an_invalid_initial_url_before_any_io() -> None:
    with pytest.raises(ValueError, match="scheme 'ftp'"):
        await get("ftp://127.0.0.1/")


async def test_a_session_reuses_one_connection_per_origin(servers: Servers) -> None:
    async with Session(user_agent="t", max_body_bytes=1000) as session:
        first = await session.fetch(servers.http + "/conn", timeout_s=5)
        second = await session.fetch(servers.http + "/conn", timeout_s=5)
        other = await session.fetch(servers.http_other + "/conn", timeout_s=5)
    assert first.body == second.body != other.body
    assert second.phases.connect_ms is None  # no new connection, so no connect phase


async def test_a_session_retries_once_when_the_server_dropped_the_idle_connection(servers: Servers) -> None:
    async with Session(user_agent="t", max_body_bytes=1000) as session:
        await session.fetch(servers.http + "/bye", timeout_s=5)
        again = await session.fetch(servers.http + "/status/200", timeout_s=5)
    assert again.status == 200 and again.phases.connect_ms is not None
