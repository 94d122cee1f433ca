"""KUBERNETES sources through the REST API against a loopback Kubernetes API: validation, syncs into HTTP
resources, gone routes archived, cluster errors on the source, in-cluster mode, config-as-code.

Every route host is a loopback address, so the checks Kairos runs on the resources it creates stay on this
machine (they fail: nothing listens on port 80 or 443, which is fine here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kairos.config_as_code.secrets import SecretPolicy
from kairos.config_as_code.service import import_text
from kairos.db.models import DiscoverySource
from kairos.discovery.kubernetes import SERVICE_ACCOUNT_ENV
from tests.discovery.test_api import discovered, sync
from tests.harness import Running
from tests.servers import certs
from tests.servers.kube_api import SCRAPE, TOKEN, KubeApi, ingress, kube_api, route


@pytest.fixture
def cluster() -> Iterator[KubeApi]:
    with kube_api() as api:
        api.objects = {
            "routes": [
                route("shop", "prod", "127.0.0.2", "/shop", tls=True, **SCRAPE),
                route("api", "prod", "127.0.0.3", "/api"),
                route("other", "dev", "127.0.0.4"),
            ],
            "ingresses": [ingress("web", "prod", [("localhost", ["/", "/docs"])], tls_hosts=["localhost"])],
        }
        api.absent = {"httproutes"}
        yield api


async def add(k: Running, **body: Any) -> dict[str, Any]:
    answer = await k.client.post("/api/discovery-sources", json={"name": "cluster", "kind": "KUBERNETES", **body})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def test_routes_become_http_resources_in_the_sources_group_and_gone_ones_are_archived(
    kairos: Running, cluster: KubeApi
) -> None:
    manual = await kairos.client.post(
        "/api/resources", json={"name": "by hand", "resourceType": "HTTP", "target": "http://127.0.0.3/api"}
    )
    assert manual.status_code == 201, manual.text
    source = await add(kairos, apiUrl=cluster.url, token=TOKEN, namespaces=["prod"])
    assert (source["kind"], source["prefix"], source["hasToken"], source["apiUrl"]) == (
        "KUBERNETES", None, True, cluster.url,
    )  # fmt: skip
    assert source["objectKinds"] == ["ROUTE", "INGRESS", "HTTPROUTE"] and TOKEN not in str(source)
    report = await sync(kairos, source["id"])
    assert report["error"] is None, report
    assert report["created"] == ["https://127.0.0.2/shop", "https://localhost/", "https://localhost/docs"]
    assert report["unchanged"] == 1  # the resource added by hand is not duplicated
    resources = await discovered(kairos, source["id"])
    assert {r["name"] for r in resources} == {"127.0.0.2/shop", "localhost/", "localhost/docs"}
    detail = (await kairos.client.get(f"/api/resources/{resources[0]['id']}")).json()
    assert detail["resourceType"] == "HTTP" and detail["target"] == "https://127.0.0.2/shop"
    groups = {g["id"]: g["name"] for g in (await kairos.client.get("/api/groups")).json()}
    assert groups[source["groupId"]] == "cluster"

    cluster.objects["routes"] = [r for r in cluster.objects["routes"] if r["metadata"]["name"] != "shop"]  # type: ignore[index]
    gone = await sync(kairos, source["id"])
    assert gone["deactivated"] == ["https://127.0.0.2/shop"] and gone["created"] == []
    now = {r["name"]: r for r in await discovered(kairos, source["id"])}
    assert now["127.0.0.2/shop"]["active"] is False and now["127.0.0.2/shop"]["goneAt"]

    cluster.objects["routes"].append(route("shop", "prod", "127.0.0.2", "/shop", tls=True))
    back = await sync(kairos, source["id"])
    assert back["reactivated"] == ["https://127.0.0.2/shop"]
    annotated = await kairos.client.put(f"/api/discovery-sources/{source['id']}", json={"annotationOnly": True})
    assert annotated.json()["annotationOnly"] is True
    only = await sync(kairos, source["id"])  # the re-added route lost its annotation; the ingress has none
    assert sorted(only["deactivated"]) == ["https://127.0.0.2/shop", "https://localhost/", "https://localhost/docs"]


async def test_a_cluster_that_refuses_the_token_is_an_error_on_the_source_and_archives_nothing(
    kairos: Running, cluster: KubeApi
) -> None:
    source = await add(kairos, apiUrl=cluster.url, token=TOKEN)
    assert len((await sync(kairos, source["id"]))["created"]) == 5
    await kairos.client.put(f"/api/discovery-sources/{source['id']}", json={"token": "revoked"})
    report = await sync(kairos, source["id"])
    assert "HTTP 401" in report["error"] and "token is not valid" in report["error"]
    assert report["deactivated"] == []
    shown = (await kairos.client.get(f"/api/discovery-sources/{source['id']}")).json()
    assert shown["lastSyncStatus"] == "error" and shown["lastSyncMessage"] == report["error"]
    assert all(r["active"] for r in await discovered(kairos, source["id"]))
    cleared = await kairos.client.put(f"/api/discovery-sources/{source['id']}", json={"token": None})
    assert cleared.json()["hasToken"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "KUBERNETES", "prefix": "registry.example.com/team"}, "prefix"),
        ({"kind": "REGISTRY"}, "prefix"),
        ({"kind": "KUBERNETES", "token": "t"}, "token"),
        ({"kind": "KUBERNETES", "latestOnly": True}, "latestOnly"),
        ({"kind": "KUBERNETES", "password": "p"}, "password"),
        ({"kind": "REGISTRY", "prefix": "r.example.com/x", "apiUrl": "https://k.example.com"}, "apiUrl"),
        ({"kind": "REGISTRY", "prefix": "r.example.com/x", "namespaces": ["a"]}, "namespaces"),
        ({"kind": "KUBERNETES", "namespaces": ["Bad_Name"]}, "namespaces[0]"),
        ({"kind": "KUBERNETES", "objectKinds": ["POD"]}, "objectKinds[0]"),
        ({"kind": "KUBERNETES", "objectKinds": []}, "objectKinds"),
        ({"kind": "KUBERNETES", "apiUrl": "ftp://k.example.com"}, "apiUrl"),
        ({"kind": "KUBERNETES", "apiUrl": "https://user:pw@k.example.com"}, "apiUrl"),
        ({"kind": "KUBERNETES", "apiUrl": "https://k.example.com:http"}, "apiUrl"),
        ({"kind": "KUBERNETES", "caCertificate": "not a certificate"}, "caCertificate"),
        ({"kind": "KUBERNETES", "caCertificate": "-----BEGIN CERTIFICATE-----\nÄ"}, "caCertificate"),
        ({"kind": "HELM"}, "kind"),
    ],
)
async def test_each_wrong_field_is_a_precise_422(kairos: Running, body: dict[str, Any], field: str) -> None:
    answer = await kairos.client.post("/api/discovery-sources", json={"name": "x", **body})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    assert (await kairos.client.get("/api/discovery-sources")).json() == []


async def test_the_kind_never_changes_and_the_other_kinds_fields_are_refused_on_edit(kairos: Running) -> None:
    registry = await kairos.client.post("/api/discovery-sources", json={"name": "r", "prefix": "r.example.com/x"})
    rid = registry.json()["id"]
    for body, field in (({"kind": "KUBERNETES"}, "kind"), ({"token": "t"}, "token"), ({"annotationOnly": True},
                        "annotationOnly")):  # fmt: skip
        answer = await kairos.client.put(f"/api/discovery-sources/{rid}", json=body)
        assert answer.status_code == 422 and answer.json()["error"]["field"] == field, answer.text
    shown = (await kairos.client.get(f"/api/discovery-sources/{rid}")).json()
    assert (shown["kind"], shown["hasToken"], shown["annotationOnly"]) == ("REGISTRY", False, False)
    latest = await kairos.client.put(f"/api/discovery-sources/{rid}", json={"latestOnly": True})
    assert latest.json()["latestOnly"] is True


async def test_in_cluster_mode_uses_the_pods_service_account_which_never_goes_to_a_typed_url(
    kairos: Running, cluster: KubeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pki = certs.make_pki(tmp_path)
    (tmp_path / "token").write_text("pod-token")
    (tmp_path / "ca.crt").write_text(pki.ca_pem)
    with kube_api(tls=(str(pki.valid.cert), str(pki.valid.key))) as in_pod:
        in_pod.token, in_pod.objects = "pod-token", cluster.objects
        monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        monkeypatch.setenv("KUBERNETES_SERVICE_PORT", in_pod.url.rsplit(":", 1)[1])
        monkeypatch.setenv(SERVICE_ACCOUNT_ENV, str(tmp_path))
        # A source naming a URL but no token sends no token at all: the pod's stays with the pod's cluster.
        typed = await add(kairos, apiUrl=cluster.url, name="typed")
        assert "HTTP 401" in (await sync(kairos, typed["id"]))["error"]
        assert {a for _, a in cluster.requests} == {None}
        in_cluster = await add(kairos, objectKinds=["INGRESS"])
        assert in_cluster["apiUrl"] is None and in_cluster["hasToken"] is False
        report = await sync(kairos, in_cluster["id"])
        assert report["created"] == ["https://localhost/", "https://localhost/docs"], report
        assert {a for _, a in in_pod.requests} == {"Bearer pod-token"}


async def test_kubernetes_sources_export_with_a_token_reference_and_import_back(
    kairos: Running, cluster: KubeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add(kairos, apiUrl=cluster.url, token=TOKEN, namespaces=["prod", "ops"], annotationOnly=True,
              objectKinds=["ROUTE"])  # fmt: skip
    exported = (await kairos.client.get("/api/config/export")).text
    assert TOKEN not in exported
    (item,) = yaml.safe_load(exported)["discoverySources"]
    assert item == {
        "name": "cluster", "kind": "KUBERNETES", "apiUrl": cluster.url,
        "token": "${KAIROS_SECRET_DISCOVERY_TOKEN_CLUSTER}", "namespaces": ["prod", "ops"],
        "objectKinds": ["ROUTE"], "annotationOnly": True, "intervalSeconds": 3600, "skipTLS": False, "active": True,
    }  # fmt: skip
    again = await kairos.client.post("/api/config/import", content=exported.encode(), params={"dryRun": "false"})
    assert again.status_code == 200 and again.json()["changes"] == [], again.text

    doc = yaml.safe_load(exported)
    doc["discoverySources"].append({**item, "name": "second", "token": "${KAIROS_SECRET_SECOND_TOKEN}"})
    monkeypatch.setenv("KAIROS_SECRET_SECOND_TOKEN", "second-token")
    policy = SecretPolicy(env_prefix="KAIROS_SECRET_", enabled=True, detailed=True)
    async with kairos.runtime.sessionmaker() as session:
        await import_text(session, yaml.safe_dump(doc), kairos.runtime.box, source="x.yaml", dry_run=False,
                          secrets=policy)  # fmt: skip
    async with kairos.runtime.sessionmaker() as session:
        row = (await session.execute(DiscoverySource.__table__.select().where(DiscoverySource.name == "second"))).one()
        assert kairos.runtime.box.open(row.token_enc) == "second-token" and row.kind == "KUBERNETES"

    doc["discoverySources"][1] = {**item, "name": "bad", "prefix": "r.example.com/x", "token": None}
    wrong = await kairos.client.post("/api/config/import", content=yaml.safe_dump(doc).encode())
    assert wrong.status_code == 422 and wrong.json()["error"]["field"].endswith("prefix"), wrong.text
