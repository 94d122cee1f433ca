"""The target policy in ``kairos.net``: a denied address is refused before any packet leaves, whether it is
a literal, a name's resolution or a redirect hop. Every server here listens on loopback; a private address
only ever appears under a policy that denies it, so nothing is sent to it."""

from __future__ import annotations

import asyncio

import pytest

from kairos import net
from kairos.net.denylist import address_class, parse_networks
from tests.net.listener import listening

UA = "kairos-test"


async def get(url: str, policy: net.TargetPolicy, **kwargs: object) -> net.FetchResult:
    return await net.fetch(url, timeout_s=5, max_body_bytes=1000, user_agent=UA, policy=policy, **kwargs)  # type: ignore[arg-type]


def test_the_setting_is_parsed_and_bad_entries_are_named() -> None:
    policy = parse_networks(" 127.0.0.0/8, ::1/128 ,169.254.169.254,")
    assert [str(n) for n in policy.denied] == ["127.0.0.0/8", "::1/128", "169.254.169.254/32"]
    for bad, words in [("10.0.0.1/8", "host bits set"), ("localhost", "'localhost'"), ("10.0.0.0/33", "10.0.0.0/33")]:
        with pytest.raises(ValueError, match="is not a network in CIDR notation") as caught:
            parse_networks(bad)
        assert words in str(caught.value)


def test_ipv4_mapped_addresses_count_as_their_ipv4_address() -> None:
    policy = parse_networks("127.0.0.0/8")
    assert policy.denied_network("::ffff:127.0.0.1") is not None
    assert policy.denied_network("::1") is None and policy.denied_network("128.0.0.1") is None
    assert parse_networks("").denied_network("127.0.0.1") is None


def test_the_message_names_the_class_of_address() -> None:
    assert address_class("127.0.0.5") == "a loopback address"
    assert address_class("::ffff:10.1.2.3") == "a private network address"
    assert address_class("169.254.169.254") == "a link-local address"
    assert address_class("100.64.0.1") == "a private network address"


async def test_a_denied_literal_is_refused_before_connecting() -> None:
    async with listening() as server:
        assert (await get(server.url, net.OPEN)).status == 200
        with pytest.raises(net.TargetDenied) as caught:
            await get(server.url, parse_networks("127.0.0.0/8"))
        await asyncio.sleep(0.05)
        assert server.connections == 1  # only the allowed request
    assert caught.value.code == "target_denied"
    assert caught.value.message == "127.0.0.1 is a loopback address, which the target policy does not allow"


async def test_a_name_resolving_to_a_denied_address_is_refused() -> None:
    async with listening() as server:
        url = f"http://localhost:{server.port}/"
        with pytest.raises(net.TargetDenied, match="localhost resolves to a loopback address"):
            await get(url, parse_networks("127.0.0.0/8, ::1/128"))
        await asyncio.sleep(0.05)
        assert server.connections == 0


async def test_a_private_address_under_a_closed_policy_sends_nothing() -> None:
    # 10.0.0.1 is denied before any socket is opened; no packet leaves this machine.
    with pytest.raises(net.TargetDenied, match=r"10\.0\.0\.1 is a private network address"):
        await get("http://10.0.0.1/", parse_networks("10.0.0.0/8"))
    with pytest.raises(net.TargetDenied, match="is a link-local address"):
        await net.tcp_connect("169.254.169.254", 80, timeout_s=2, policy=parse_networks("169.254.0.0/16"))
    with pytest.raises(net.TargetDenied, match="is a loopback address"):
        await net.tcp_connect("::ffff:127.0.0.1", 80, timeout_s=2, policy=parse_networks("127.0.0.0/8"))


async def test_every_redirect_hop_is_checked() -> None:
    # 127.0.0.2 is allowed, 127.0.0.1 is not: the redirect from one into the other must not get through.
    async with listening("127.0.0.1") as inner:
        async with listening("127.0.0.2", location=inner.url) as outer:
            policy = parse_networks("127.0.0.1/32")
            with pytest.raises(net.TargetDenied, match=r"127\.0\.0\.1 is a loopback address"):
                await get(outer.url, policy)
            assert outer.connections == 1
            assert (await get(outer.url, net.OPEN)).url == inner.url  # without the policy it is followed
        await asyncio.sleep(0.05)
        assert inner.connections == 1  # only the unrestricted request arrived


async def test_a_redirect_to_a_private_address_is_refused_before_sending() -> None:
    async with listening(location="http://192.168.0.1/admin") as outer:
        with pytest.raises(net.TargetDenied, match=r"192\.168\.0\.1 is a private network address"):
            await get(outer.url, parse_networks("192.168.0.0/16"))


async def test_custom_headers_are_dropped_on_a_cross_origin_redirect_unless_forwarded() -> None:
    async with listening() as other, listening(location=other.url) as first:  # another port: another origin
        headers = {"X-Token": "secret-token", "Accept": "text/plain"}
        await get(first.url, net.OPEN, headers=headers, headers_cross_origin=False)
        assert first.seen_headers[-1]["x-token"] == "secret-token"
        assert "x-token" not in other.seen_headers[-1]
        assert other.seen_headers[-1]["accept"] == "*/*"  # Kairos' own default instead of the resource's
        await get(first.url, net.OPEN, headers=headers, headers_cross_origin=True)
        assert other.seen_headers[-1]["x-token"] == "secret-token"


async def test_a_non_text_charset_falls_back_to_utf8() -> None:
    for charset in ("idna", "rot13", "base64", "no-such-codec", "unicode-escape"):
        result = net.FetchResult(
            "http://x/", 200, "OK", [("content-type", f"text/plain; charset={charset}")], "grüß \\x".encode(), False
        )
        assert result.text() == "grüß \\x"
    latin = net.FetchResult("http://x/", 200, "OK", [("content-type", "text/plain; charset=latin-1")], b"gr\xfc", False)
    assert latin.text() == "grü"
