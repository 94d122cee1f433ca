"""Listing a cluster's Routes, Ingresses and HTTPRoutes through a loopback server speaking the Kubernetes API
(real sockets, real HTTP and TLS; the shapes of the API reference)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kairos.discovery.kubernetes import KubeOptions, list_urls
from kairos.net import parse_networks
from kairos.registry.discovery import DiscoveryError
from tests.servers import certs
from tests.servers.kube_api import SCRAPE, TOKEN, KubeApi, httproute, ingress, kube_api, route
from tests.servers.ports import free_port


def cluster_objects(api: KubeApi) -> None:
    api.objects = {
        "routes": [
            route("shop", "prod", "shop.apps.example.com", tls=True, **SCRAPE),
            route("api", "prod", "api.apps.example.com", "/v1"),
            route("wild", "prod", "*.apps.example.com"),
            route("admin", "ops", "Admin.Apps.Example.com", "/console", tls=True, **SCRAPE),
        ],
        "ingresses": [
            ingress(
                "web",
                "prod",
                [("www.example.com", ["/", "/docs"]), ("plain.example.com", ["/"])],
                tls_hosts=["www.example.com"],
                annotations=SCRAPE,
            ),
            ingress(
                "star",
                "ops",
                [("*.example.org", ["/"]), ("a.wild.example.net", ["/x"])],
                tls_hosts=["*.wild.example.net"],
            ),
            ingress("regex", "ops", [("rx.example.com", ["/api(/|$)(.*)", "/gke/*"])]),
        ],
        "httproutes": [
            httproute("gw-https", "prod", ["gw.example.com", "*.gw.example.com"], ["/app"]),
            httproute("gw-http", "ops", ["plain-gw.example.com"], ["/"], port=80),
        ],
    }


@pytest.fixture
def api() -> Iterator[KubeApi]:
    with kube_api() as server:
        cluster_objects(server)
        yield server


def opts(api: KubeApi, **kw: object) -> KubeOptions:
    return KubeOptions(api_url=api.url, token=TOKEN, **kw)  # type: ignore[arg-type]


async def test_every_host_and_path_becomes_a_url_and_wildcards_and_regexes_are_skipped(api: KubeApi) -> None:
    assert await list_urls(opts(api, page_size=2)) == [
        "http://api.apps.example.com/v1",
        "http://plain-gw.example.com/",
        "http://plain.example.com/",
        "http://rx.example.com/gke/",  # "/gke/*" is the prefix "/gke/"; the regex path is skipped
        "https://a.wild.example.net/x",  # its TLS entry is the wildcard *.wild.example.net
        "https://admin.apps.example.com/console",
        "https://gw.example.com/app",
        "https://shop.apps.example.com/",
        "https://www.example.com/",
        "https://www.example.com/docs",
    ]
    paths = [p for p, _ in api.requests]
    assert "/apis/route.openshift.io/v1/routes?limit=2" in paths
    assert any(p.startswith("/apis/route.openshift.io/v1/routes?limit=2&continue=") for p in paths)  # paged
    assert {a for _, a in api.requests} == {f"Bearer {TOKEN}"}


async def test_only_annotated_objects_when_asked(api: KubeApi) -> None:
    assert await list_urls(opts(api, annotation_only=True)) == [
        "http://plain.example.com/",  # a second rule of the annotated ingress
        "https://admin.apps.example.com/console",
        "https://shop.apps.example.com/",
        "https://www.example.com/",
        "https://www.example.com/docs",
    ]


async def test_namespaces_and_kinds_narrow_the_listing(api: KubeApi) -> None:
    found = await list_urls(opts(api, namespaces=("ops",), kinds=("ROUTE", "HTTPROUTE")))
    assert found == ["http://plain-gw.example.com/", "https://admin.apps.example.com/console"]
    paths = {p.partition("?")[0] for p, _ in api.requests}
    assert paths == {"/apis/route.openshift.io/v1/namespaces/ops/routes",
                     "/apis/gateway.networking.k8s.io/v1/namespaces/ops/httproutes"}  # fmt: skip


async def test_an_api_the_cluster_lacks_is_skipped_quietly(api: KubeApi) -> None:
    api.absent = {"routes", "httproutes"}  # plain Kubernetes without the Gateway API
    found = await list_urls(opts(api, namespaces=("prod", "ops")))
    assert found == ["http://plain.example.com/", "http://rx.example.com/gke/", "https://a.wild.example.net/x",
                     "https://www.example.com/", "https://www.example.com/docs"]  # fmt: skip
    route_calls = [p for p, _ in api.requests if "/routes" in p]
    assert route_calls == ["/apis/route.openshift.io/v1/namespaces/prod/routes?limit=250"]  # once, not per namespace


async def test_a_wrong_token_and_a_forbidden_kind_fail_with_the_clusters_words(api: KubeApi) -> None:
    with pytest.raises(DiscoveryError, match=r"routes.route.openshift.io: HTTP 401 \(Unauthorized; the token is not"):
        await list_urls(KubeOptions(api_url=api.url, token="stolen"))
    with pytest.raises(DiscoveryError, match=r"HTTP 401"):
        await list_urls(KubeOptions(api_url=api.url))
    api.forbidden = {"ingresses"}
    with pytest.raises(DiscoveryError, match=r"ingresses.networking.k8s.io: HTTP 403 \(ingresses.* cannot list"):
        await list_urls(opts(api))


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ((200, b"<html>login</html>", {}), "routes.route.openshift.io: the answer is not JSON"),
        ((200, b'{"items": {"not": "a list"}}', {}), "the answer is not a list"),
        ((500, b'{"kind":"Status","message":"etcdserver: request timed out"}', {}), "HTTP 500 .etcdserver"),
        ((410, b"{}", {}), "HTTP 410 .the list changed while it was paged"),
        ((302, b"", {"Location": "http://127.0.0.2:9/steal"}), "HTTP 302 .redirects are not followed"),
        ((200, b'{"items": [' + b" " * (9 * 1024 * 1024) + b"]}", {}), "larger than 8 MiB"),
    ],
)
async def test_a_bad_answer_is_a_precise_error(
    api: KubeApi, fault: tuple[int, bytes, dict[str, str]], message: str
) -> None:
    api.faults["/apis/route.openshift.io/"] = fault
    with pytest.raises(DiscoveryError, match=message):
        await list_urls(opts(api))


async def test_an_unreachable_cluster_and_a_denied_network_are_errors_not_crashes() -> None:
    with pytest.raises(DiscoveryError, match=r"Kubernetes API: routes\.route\.openshift\.io: .*refused"):
        await list_urls(KubeOptions(api_url=f"http://127.0.0.1:{free_port()}", token=TOKEN))
    with kube_api() as api:
        denied = KubeOptions(api_url=api.url, token=TOKEN, policy=parse_networks("127.0.0.0/8"))
        with pytest.raises(DiscoveryError, match="target policy"):
            await list_urls(denied)
        assert api.requests == []


async def test_too_many_urls_fail_the_listing(api: KubeApi) -> None:
    api.objects = {"routes": [route(f"r{i}", "big", f"r{i}.example.com") for i in range(10_001)]}
    with pytest.raises(DiscoveryError, match="more than 10000 URLs"):
        await list_urls(opts(api, page_size=5000, kinds=("ROUTE",)))


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> certs.TestPki:
    return certs.make_pki(tmp_path_factory.mktemp("kube-pki"))


async def test_in_cluster_mode_reads_the_service_account_and_trusts_its_ca(pki: certs.TestPki, tmp_path: Path) -> None:
    (tmp_path / "token").write_text("in-cluster-token\n")
    (tmp_path / "ca.crt").write_text(pki.ca_pem)
    with kube_api(tls=(str(pki.valid.cert), str(pki.valid.key))) as api:
        api.token = "in-cluster-token"
        api.objects = {"ingresses": [ingress("web", "prod", [("www.example.com", ["/"])])]}
        port = api.url.rsplit(":", 1)[1]
        env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port}
        # The pod's own API address is exempt from the denied networks (it is nobody's input).
        denied = parse_networks("127.0.0.0/8")
        options = KubeOptions(service_account_dir=str(tmp_path), environ=env, policy=denied)
        assert await list_urls(options) == ["http://www.example.com/"]
        assert {a for _, a in api.requests} == {"Bearer in-cluster-token"}


async def test_a_cluster_certificate_from_another_ca_is_refused_unless_verification_is_off(
    pki: certs.TestPki, tmp_path: Path
) -> None:
    with kube_api(tls=(str(pki.self_signed.cert), str(pki.self_signed.key))) as api:
        api.objects = {}
        with pytest.raises(DiscoveryError, match="certificate"):
            await list_urls(opts(api, ca_pem=pki.ca_pem))
        assert await list_urls(opts(api, skip_tls=True)) == []


async def test_in_cluster_mode_outside_a_pod_or_without_a_token_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set"):
        await list_urls(KubeOptions(environ={}))
    env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "6443"}
    with pytest.raises(DiscoveryError, match=r"cannot read the service account token \(.*token\)"):
        await list_urls(KubeOptions(environ=env, service_account_dir=str(tmp_path / "nowhere")))
