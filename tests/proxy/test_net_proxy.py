"""kairos.net through real proxies (pproxy on loopback): HTTP CONNECT and SOCKS5, with and without
credentials, failures as classified errors, the proxy phase, and the rules that choose the route."""

from __future__ import annotations

import socket

import pytest

from kairos import net
from kairos.net import proxy
from kairos.net.denylist import parse_networks
from kairos.net.proxy_rules import ProxyTable, parse_proxy_url, parse_rules
from tests.net.listener import listening
from tests.proxy.proxies import PASSWORD, Pproxy
from tests.proxy.refusing import refusing
from tests.servers.http_app import Servers
from tests.servers.ports import free_port

UA = "kairos-test"


def use(url: str, *, include: str = "", exclude: str = "", **named: str) -> None:
    proxy.install(
        ProxyTable(
            parse_proxy_url(url) if url else None,
            parse_rules(include),
            parse_rules(exclude),
            {name: parse_proxy_url(u, name=name) for name, u in named.items()},
        )
    )


async def get(url: str, policy: net.TargetPolicy = net.OPEN, timeout_s: float = 5) -> net.FetchResult:
    return await net.fetch(url, timeout_s=timeout_s, max_body_bytes=1000, user_agent=UA, policy=policy)


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_an_http_check_goes_through_the_proxy_and_times_it_as_its_own_phase(
    scheme: str, open_proxy: Pproxy
) -> None:
    async with listening() as target:
        use(open_proxy.url(scheme))
        before = open_proxy.tunnels_to(f"localhost:{target.port}")
        result = await get(f"http://localhost:{target.port}/")
    assert result.status == 200
    # the proxy opened it, by name
    assert await open_proxy.tunnels_reach(f"localhost:{target.port}", before + 1) == before + 1
    assert result.phases.proxy_ms is not None and result.phases.proxy_ms > 0
    assert result.phases.connect_ms is None  # Kairos did not connect to the target itself
    assert result.phases.dns_ms is None  # nor resolve it: the proxy did


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_credentials_are_sent(scheme: str, auth_proxy: Pproxy) -> None:
    async with listening() as target:
        use(auth_proxy.url(scheme))
        assert (await get(target.url)).status == 200
        use(auth_proxy.url(scheme, password="wrong-password"))
        with pytest.raises(net.NetError) as caught:
            await get(target.url)
    assert caught.value.code.startswith("proxy_")  # pproxy's SOCKS5 hangs up instead of answering: see below
    assert "wrong-password" not in caught.value.message and PASSWORD not in caught.value.message
    assert caught.value.phases is not None and caught.value.phases.proxy_ms is not None


async def test_a_wrong_password_is_proxy_auth_failed(auth_proxy: Pproxy) -> None:
    use(auth_proxy.url("http", password="wrong-password"))
    with pytest.raises(net.NetError) as caught:
        await get("http://127.0.0.1:9/")
    use(auth_proxy.url("http").replace(f"kairos:{PASSWORD}@", ""))
    with pytest.raises(net.NetError) as without:
        await get("http://127.0.0.1:9/")
    async with refusing(socks_auth=True) as socks:  # answers RFC 1929 "failure", as it should
        use(f"socks5://kairos:wrong-password@127.0.0.1:{socks.port}")
        with pytest.raises(net.NetError) as socks_caught:
            await get("http://127.0.0.1:9/")
    for error in (caught.value, without.value, socks_caught.value):
        assert error.code == "proxy_auth_failed", error
        assert "wrong-password" not in error.message and PASSWORD not in error.message
    assert caught.value.message == f"the proxy 127.0.0.1:{auth_proxy.http_port} refused the credentials (HTTP 407)"


async def test_refusals_by_status_and_by_socks_reply_are_classified() -> None:
    async with refusing(http_status=403, socks_reply=2) as proxy_server:
        use(f"http://127.0.0.1:{proxy_server.port}")
        with pytest.raises(net.NetError) as forbidden:
            await get("http://127.0.0.1:9/")
        use(f"socks5://127.0.0.1:{proxy_server.port}")
        with pytest.raises(net.NetError) as not_allowed:
            await get("http://127.0.0.1:9/")
        proxy_server.socks_reply = 5
        with pytest.raises(net.NetError) as refused:
            await get("http://127.0.0.1:9/")
    assert forbidden.value.code == not_allowed.value.code == "proxy_refused"
    assert "HTTP 403" in forbidden.value.message
    assert not_allowed.value.message.endswith("connection not allowed by ruleset")
    assert refused.value.code == "connect_refused"  # the proxy says the target refused: the target's answer
    assert refused.value.message.endswith(f"(reported by the proxy 127.0.0.1:{proxy_server.port})")


async def test_a_tcp_check_goes_through_the_proxy(open_proxy: Pproxy) -> None:
    async with listening() as target:
        use(open_proxy.url("socks5"))
        phases, address = await net.tcp_connect("127.0.0.1", target.port, timeout_s=5)
    assert await open_proxy.tunnels_reach(f"127.0.0.1:{target.port}", 1)
    assert phases.proxy_ms is not None and phases.connect_ms is None
    assert address == "127.0.0.1"


async def test_a_proxy_that_is_down_is_proxy_unreachable_at_once() -> None:
    use(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(net.NetError) as caught:
        await net.tcp_connect("127.0.0.1", 9, timeout_s=5)
    assert caught.value.code == "proxy_unreachable"
    assert "refused the connection" in caught.value.message


async def test_a_silent_proxy_is_proxy_timeout_within_the_deadline() -> None:
    with socket.socket() as silent:  # accepts through the backlog, never answers the handshake
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        use(f"socks5://127.0.0.1:{silent.getsockname()[1]}")
        with pytest.raises(net.NetError) as caught:
            await get("http://127.0.0.1:9/", timeout_s=0.5)
    assert caught.value.code == "proxy_timeout"
    assert caught.value.message == "no connection through the proxy within 0.5 s"


async def test_a_target_the_proxy_cannot_reach_is_proxy_refused(open_proxy: Pproxy, servers: Servers) -> None:
    """pproxy hangs up on a CONNECT it cannot complete, without a status: that is still the proxy's refusal."""
    use(open_proxy.url("http"))
    with pytest.raises(net.NetError) as caught:
        await get(f"http://127.0.0.1:{servers.closed_port}/")
    assert caught.value.code == "proxy_refused"
    assert caught.value.message == (
        f"the proxy 127.0.0.1:{open_proxy.http_port} closed the connection to 127.0.0.1:{servers.closed_port} "
        "without an answer"
    )


async def test_https_runs_tls_end_to_end_through_the_tunnel(open_proxy: Pproxy, servers: Servers) -> None:
    use(open_proxy.url("http"))
    result = await net.fetch(
        servers.https + "/status/200", timeout_s=5, max_body_bytes=1000, user_agent=UA, ca_context=servers.ca_context
    )
    assert result.status == 200
    assert result.phases.tls_ms is not None and result.phases.proxy_ms is not None
    assert await open_proxy.tunnels_reach(servers.https.removeprefix("https://"), 1)


async def test_exclude_wins_over_include_and_rules_match_wildcards_and_cidrs(open_proxy: Pproxy) -> None:
    async with listening() as target:
        use(open_proxy.url("http"), include="*.localhost, localhost, 127.0.0.0/8", exclude="127.0.0.1")
        base = len(open_proxy.tunnels())
        assert (await get(f"http://127.0.0.1:{target.port}/")).phases.proxy_ms is None  # excluded: direct
        assert len(open_proxy.tunnels()) == base
        assert (await get(f"http://localhost:{target.port}/")).phases.proxy_ms is not None  # included by name
        use(open_proxy.url("http"), include="*.example.com")
        assert (await get(f"http://localhost:{target.port}/")).phases.proxy_ms is None  # not included: direct
        use(open_proxy.url("http"), exclude="*.localhost")
        assert (await get(f"http://localhost:{target.port}/")).phases.proxy_ms is not None  # "*." is below only
        use(open_proxy.url("http"), exclude=".localhost")
        assert (await get(f"http://localhost:{target.port}/")).phases.proxy_ms is None  # ".name" is it too
    assert await open_proxy.tunnels_reach(f"localhost:{target.port}", 2)


async def test_a_resource_may_go_direct_or_through_a_named_proxy(open_proxy: Pproxy, auth_proxy: Pproxy) -> None:
    async with listening() as target:
        use(open_proxy.url("http"), corp=auth_proxy.url("socks5"))
        direct = net.OPEN.with_proxy("direct")
        assert (await get(target.url, direct)).phases.proxy_ms is None
        before = auth_proxy.tunnels_to(f"127.0.0.1:{target.port}")
        assert (await get(target.url, net.OPEN.with_proxy("corp"))).status == 200
        assert await auth_proxy.tunnels_reach(f"127.0.0.1:{target.port}", before + 1) == before + 1
        use("", corp=auth_proxy.url("socks5"))  # no default proxy: a named one still works
        assert (await get(target.url, net.OPEN.with_proxy("corp"))).phases.proxy_ms is not None
        with pytest.raises(net.NetError) as caught:
            await get(target.url, net.OPEN.with_proxy("gone"))
    assert caught.value.code == "proxy_unknown"


async def test_with_denied_networks_the_name_is_resolved_here_and_the_proxy_gets_the_checked_address(
    open_proxy: Pproxy,
) -> None:
    async with listening() as target:
        use(open_proxy.url("socks5"))
        with pytest.raises(net.TargetDenied):
            await get(f"http://localhost:{target.port}/", parse_networks("127.0.0.0/8, ::1/128"))
        result = await get(f"http://localhost:{target.port}/", parse_networks("10.0.0.0/8"))
    assert result.status == 200 and result.phases.dns_ms is not None
    assert await open_proxy.tunnels_reach(f"127.0.0.1:{target.port}", 1)


def test_proxy_urls_are_validated_without_repeating_the_password() -> None:
    p = parse_proxy_url("http://user:p%40ss@Proxy.Example.com:3128")
    assert (p.scheme, p.host, p.port, p.username, p.password) == ("http", "proxy.example.com", 3128, "user", "p@ss")
    assert p.shown == "http://user@proxy.example.com:3128" and "p@ss" not in repr(p)
    for bad, words in [
        ("ftp://h:1", r"must start with http:// \(HTTP CONNECT\) or socks5://"),
        ("http://h", "has no port"),
        ("socks5://:pw@h:1", "password without a user name"),
        ("http://u:topsecret@h:99999", "not valid"),
        ("http://h:1/path", "path"),
    ]:
        with pytest.raises(ValueError, match=words) as caught:
            parse_proxy_url(bad)
        assert "topsecret" not in str(caught.value)


def test_rules_are_validated_and_name_the_bad_item() -> None:
    rules = parse_rules(" *.corp.example.com, db.example.com ,10.0.0.0/8, .svc ")
    assert rules.matches("a.b.corp.example.com") and not rules.matches("corp.example.com")
    assert rules.matches("DB.example.com") and rules.matches("10.1.2.3") and not rules.matches("11.0.0.1")
    assert rules.matches("svc") and rules.matches("x.svc")
    for bad in ("10.0.0.1/8", "bad host", "exa$mple.com"):
        with pytest.raises(ValueError, match="is not a"):
            parse_rules(bad)
