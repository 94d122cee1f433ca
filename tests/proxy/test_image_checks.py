"""DOCKER checks through real proxies (pproxy, with credentials) against the real registry with token auth
(Debian's docker-registry and our token server): the registry's requests and the token realm's both go
through the tunnel, which pproxy's per-connection log proves, and the result carries the proxy phase."""

from __future__ import annotations

import pytest

from tests.harness import Running
from tests.proxy.conftest import TokenRegistry
from tests.proxy.proxies import PASSWORD, Pproxy


async def _image(kairos: Running, target: str, **extra: object) -> int:
    body = {"name": target.split("/", 1)[1], "resourceType": "DOCKER", "target": target, "active": False}
    r = await kairos.client.post("/api/resources", json={**body, "options": {"insecureHttp": True}, **extra})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def _check(kairos: Running, rid: int) -> dict[str, object]:
    r = await kairos.client.post(f"/api/resources/{rid}/check")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _use_default(kairos: Running, url: str) -> None:
    r = await kairos.client.put("/api/proxies/default", json={"url": url, "include": "", "exclude": ""})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_a_docker_check_reaches_the_registry_and_its_token_realm_through_the_proxy(
    scheme: str, kairos: Running, auth_proxy: Pproxy, proxied_registry: TokenRegistry
) -> None:
    registry, realm = proxied_registry.registry, proxied_registry.realm
    await _use_default(kairos, auth_proxy.url(scheme))
    r = await kairos.client.post(
        "/api/credentials",
        json={"name": "alice", "pattern": f"{registry.host}/private/*", "username": "alice", "password": "s3cret"},
    )
    assert r.status_code == 201, r.text
    to_registry, to_realm = auth_proxy.tunnels_to(registry.host), auth_proxy.tunnels_to(realm)

    private = await _check(kairos, await _image(kairos, f"{registry.host}/private/{scheme}:v1"))
    assert (private["status"], private["errorCode"]) == ("AVAILABLE", None), private["message"]
    assert private["proxyMs"] is not None and private["connectMs"] is None  # Kairos never connected itself
    assert await auth_proxy.tunnels_reach(registry.host, to_registry + 1) > to_registry
    assert await auth_proxy.tunnels_reach(realm, to_realm + 1) > to_realm  # Basic credentials to the realm

    to_realm = auth_proxy.tunnels_to(realm)
    public = await _check(kairos, await _image(kairos, f"{registry.host}/public/{scheme}:v1"))
    assert (public["status"], public["errorCode"]) == ("AVAILABLE", None), public["message"]
    assert await auth_proxy.tunnels_reach(realm, to_realm + 1) > to_realm  # the anonymous pull token
    assert PASSWORD not in str(private) + str(public)


async def test_a_docker_instant_check_goes_through_the_proxy_and_direct_stays_direct(
    kairos: Running, auth_proxy: Pproxy, proxied_registry: TokenRegistry
) -> None:
    registry = proxied_registry.registry
    await _use_default(kairos, auth_proxy.url("socks5"))
    # the same image on a resource that goes direct, named "localhost" so that no other test's tunnel counts
    by_name = registry.host.replace("127.0.0.1", "localhost")
    direct = await _check(kairos, await _image(kairos, f"{by_name}/public/hello:v1", proxy="direct"))
    assert direct["status"] == "AVAILABLE" and direct["proxyMs"] is None and direct["connectMs"] is not None

    before = auth_proxy.tunnels_to(registry.host)
    body = {"resourceType": "DOCKER", "target": f"{registry.host}/public/hello:v1", "options": {"insecureHttp": True}}
    instant = (await kairos.client.post("/api/instant-check", json=body)).json()
    assert (instant["status"], instant["errorCode"]) == ("AVAILABLE", None), instant
    assert instant["phases"]["proxyMs"] is not None
    assert await auth_proxy.tunnels_reach(registry.host, before + 1) > before
    assert auth_proxy.tunnels_to(by_name) == 0  # logged before the instant check's tunnels, had there been one


async def test_a_wrong_proxy_password_on_a_docker_check_is_a_classified_unknown(
    kairos: Running, auth_proxy: Pproxy, proxied_registry: TokenRegistry
) -> None:
    await _use_default(kairos, auth_proxy.url("http", password="wrong-password"))
    result = await _check(kairos, await _image(kairos, f"{proxied_registry.registry.host}/public/hello:v1"))
    assert (result["status"], result["errorCode"]) == ("UNKNOWN", "proxy_auth_failed"), result
    assert "wrong-password" not in str(result["message"]) and PASSWORD not in str(result["message"])
