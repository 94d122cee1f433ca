"""Discovery through the default proxy, set and used through the public API only: a REGISTRY source lists the
real registry (catalog and tags, with a token from its realm) and a KUBERNETES source lists a loopback cluster
API over TLS, both through pproxy with credentials, whose per-connection log proves the route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kairos.discovery.kubernetes import SERVICE_ACCOUNT_ENV
from tests.harness import Running
from tests.proxy.conftest import TokenRegistry
from tests.proxy.proxies import PASSWORD, Pproxy
from tests.servers import certs
from tests.servers.kube_api import TOKEN, ingress, kube_api
from tests.servers.ports import free_port


async def _set_default(kairos: Running, url: str) -> None:
    r = await kairos.client.put("/api/proxies/default", json={"url": url, "include": "", "exclude": ""})
    assert r.status_code == 200, r.text


async def _sync(kairos: Running, body: dict[str, Any]) -> dict[str, Any]:
    created = await kairos.client.post("/api/discovery-sources", json=body)
    assert created.status_code == 201, created.text
    report = await kairos.client.post(f"/api/discovery-sources/{created.json()['id']}/sync")
    assert report.status_code == 200, report.text
    return dict(report.json())


async def test_a_registry_source_lists_through_the_proxy_with_its_token_realm(
    kairos: Running, auth_proxy: Pproxy, proxied_registry: TokenRegistry
) -> None:
    registry, realm = proxied_registry.registry, proxied_registry.realm
    await _set_default(kairos, auth_proxy.url("http"))
    to_registry, to_realm = auth_proxy.tunnels_to(registry.host), auth_proxy.tunnels_to(realm)
    body = {"name": "through the proxy", "prefix": f"{registry.host}/listed", "insecureHttp": True}
    report = await _sync(kairos, {**body, "username": "alice", "password": "s3cret"})
    assert report["error"] is None, report
    assert report["created"] == [f"{registry.host}/listed/app:v1"]
    assert await auth_proxy.tunnels_reach(registry.host, to_registry + 1) > to_registry
    # the catalog needs a registry:catalog:* token, asked of the realm by this sync only
    assert await auth_proxy.tunnels_reach(realm, to_realm + 1) > to_realm


async def test_a_proxy_that_is_down_is_an_error_on_the_source_not_a_hang(
    kairos: Running, proxied_registry: TokenRegistry
) -> None:
    port = free_port()
    await _set_default(kairos, f"socks5://127.0.0.1:{port}")
    body = {"name": "no proxy", "prefix": f"{proxied_registry.registry.host}/public", "insecureHttp": True}
    report = await _sync(kairos, body)
    assert report["created"] == [] and report["error"] is not None
    assert f"the proxy 127.0.0.1:{port} refused the connection" in report["error"], report


async def test_a_kubernetes_source_lists_through_the_proxy_over_tls(
    kairos: Running, auth_proxy: Pproxy, tmp_path: Path
) -> None:
    pki = certs.make_pki(tmp_path)
    with kube_api(tls=(str(pki.valid.cert), str(pki.valid.key))) as cluster:
        cluster.objects = {"ingresses": [ingress("web", "prod", [("localhost", ["/", "/docs"])])]}
        cluster.absent = {"routes", "httproutes"}
        await _set_default(kairos, auth_proxy.url("socks5"))
        body = {"name": "cluster", "kind": "KUBERNETES", "apiUrl": cluster.url, "token": TOKEN}
        report = await _sync(kairos, {**body, "caCertificate": pki.ca_pem})
        api = cluster.url.removeprefix("https://")
        assert report["error"] is None, report
        assert report["created"] == ["http://localhost/", "http://localhost/docs"]
        assert await auth_proxy.tunnels_reach(api, 1)
        assert {auth for _, auth in cluster.requests} == {f"Bearer {TOKEN}"}
    log = auth_proxy.log.read_text()
    assert TOKEN not in log and PASSWORD not in log  # TLS end to end: the proxy never saw the bearer token


async def test_in_cluster_mode_follows_the_rules_so_excluding_the_cluster_network_keeps_it_direct(
    kairos: Running, open_proxy: Pproxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/proxy.md's in-cluster note: KUBERNETES_SERVICE_HOST is an address, so the service network's CIDR
    (here loopback's) in the exclude list keeps the pod's own API off the proxy."""
    pki = certs.make_pki(tmp_path)
    (tmp_path / "token").write_text("pod-token")
    (tmp_path / "ca.crt").write_text(pki.ca_pem)
    with kube_api(tls=(str(pki.valid.cert), str(pki.valid.key))) as cluster:
        cluster.token, cluster.objects = "pod-token", {"ingresses": [ingress("web", "prod", [("localhost", ["/"])])]}
        monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        monkeypatch.setenv("KUBERNETES_SERVICE_PORT", cluster.url.rsplit(":", 1)[1])
        monkeypatch.setenv(SERVICE_ACCOUNT_ENV, str(tmp_path))
        api = cluster.url.removeprefix("https://")
        r = await kairos.client.put(
            "/api/proxies/default", json={"url": open_proxy.url("socks5"), "exclude": ".svc, 127.0.0.0/8"}
        )
        assert r.status_code == 200, r.text
        direct = await _sync(kairos, {"name": "in cluster", "kind": "KUBERNETES", "objectKinds": ["INGRESS"]})
        assert direct["error"] is None and direct["created"] == ["http://localhost/"], direct
        assert open_proxy.tunnels_to(api) == 0
        await _set_default(kairos, open_proxy.url("socks5"))  # no exclude: the pod's API goes to the proxy too
        proxied = await _sync(kairos, {"name": "in cluster 2", "kind": "KUBERNETES", "objectKinds": ["INGRESS"]})
        assert proxied["error"] is None, proxied
        assert await open_proxy.tunnels_reach(api, 1) == 1
