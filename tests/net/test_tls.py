"""TLS verification outcomes and the cached contexts."""

from __future__ import annotations

import ssl
from typing import Any

import pytest

from kairos import net
from kairos.net import tls
from kairos.net.client import fetch
from tests.servers.http_app import Servers


async def get(url: str, **options: Any) -> net.FetchResult:
    params: dict[str, Any] = {"timeout_s": 5.0, "max_body_bytes": 10_000, "user_agent": "Kairos-Test/1"}
    return await fetch(url, **(params | options))


async def test_it_refuses_a_self_signed_certificate(servers: Servers) -> None:
    with pytest.raises(net.TlsInvalid, match="self-signed") as caught:
        await get(servers.https_self_signed + "/status/200")
    assert caught.value.code == "tls_invalid"


async def test_it_accepts_any_certificate_when_verification_is_off(servers: Servers) -> None:
    for base in (servers.https_self_signed, servers.https_expired, servers.https_wrong_host):
        result = await get(base + "/status/200", verify_tls=False)
        assert result.status == 200 and result.phases.tls_ms is not None


async def test_it_says_an_expired_certificate_has_expired(servers: Servers) -> None:
    with pytest.raises(net.TlsInvalid, match="expired"):
        await get(servers.https_expired + "/status/200", ca_context=servers.ca_context)


async def test_it_says_when_a_certificate_is_for_another_host(servers: Servers) -> None:
    with pytest.raises(net.TlsInvalid, match="does not match the host name"):
        await get(servers.https_wrong_host + "/status/200", ca_context=servers.ca_context)


async def test_it_says_when_the_issuer_is_unknown(servers: Servers) -> None:
    with pytest.raises(net.TlsInvalid, match="unknown authority"):
        await get(servers.https + "/status/200")


async def test_it_reports_a_plain_text_server_on_an_https_url_as_tls_error(servers: Servers) -> None:
    with pytest.raises(net.TlsError) as caught:
        await get(f"https://127.0.0.1:{servers.banner_port}/")
    assert caught.value.code == "tls_error"


async def test_it_times_out_a_handshake_that_never_completes(servers: Servers) -> None:
    with pytest.raises(net.Timeout, match="TLS handshake"):
        await get(f"https://127.0.0.1:{servers.silent_port}/", timeout_s=0.2)


async def test_it_builds_no_ssl_context_per_request(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    await get(servers.https_self_signed + "/status/200", verify_tls=False)  # warm both caches
    tls.verifying_context()

    def forbidden(*args: object, **kwargs: object) -> ssl.SSLContext:
        raise AssertionError("an SSL context was created for a request")

    monkeypatch.setattr(ssl, "create_default_context", forbidden)
    assert (await get(servers.https_self_signed + "/status/200", verify_tls=False)).status == 200
    with pytest.raises(net.TlsInvalid):
        await get(servers.https_self_signed + "/status/200")
    assert tls.context_for(True) is tls.verifying_context()
