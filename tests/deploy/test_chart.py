"""The Helm chart, rendered by a real helm (tests/deploy/fetch_helm.sh) for the main value combinations."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from kairos.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "kairos"
POSTGRES = ["database.url=postgresql://kairos@pg.db.svc:5432/kairos"]
Render = Callable[..., dict[str, dict[str, Any]]]


def helm_args(values: list[str]) -> list[str]:
    return [arg for value in values for arg in ("--set", value)]


@pytest.fixture(scope="session")
def render(helm: str) -> Render:
    """helm lint, then helm template: {kind: object} (each kind appears once in this chart)."""

    def run(*values: str) -> dict[str, dict[str, Any]]:
        lint = subprocess.run([helm, "lint", "--strict", str(CHART), *helm_args(list(values))], capture_output=True)
        assert lint.returncode == 0, lint.stdout.decode() + lint.stderr.decode()
        out = subprocess.run(
            [helm, "template", "kairos", str(CHART), "--namespace", "ops", *helm_args(list(values))],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        docs = [d for d in yaml.safe_load_all(out) if d]
        kinds = [d["kind"] for d in docs]
        assert len(kinds) == len(set(kinds)), kinds
        return {d["kind"]: d for d in docs}

    return run


def container(objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    spec = objects["Deployment"]["spec"]["template"]["spec"]
    (only,) = spec["containers"]
    return dict(only)


def volumes(objects: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in objects["Deployment"]["spec"]["template"]["spec"]["volumes"]}


def test_the_defaults_run_kairos_on_sqlite_in_a_claim_as_a_non_root_user(render: Render) -> None:
    objects = render()
    assert set(objects) == {"Secret", "ConfigMap", "Service", "Deployment", "PersistentVolumeClaim"}
    c = container(objects)
    assert c["image"] == "kairos:0.1.0"
    pod = objects["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["resources"]["limits"]["memory"] and c["resources"]["requests"]["cpu"]
    assert objects["Deployment"]["spec"]["replicas"] == 1
    assert objects["Deployment"]["spec"]["strategy"]["type"] == "Recreate"
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    assert mounts == {"/app/data": "data", "/tmp": "tmp", "/run/secrets/kairos": "secrets"}
    assert volumes(objects)["tmp"] == {"name": "tmp", "emptyDir": {}}
    claim = objects["PersistentVolumeClaim"]
    assert volumes(objects)["data"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert claim["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert "KAIROS_DATABASE_URL" not in objects["ConfigMap"]["data"]


def test_every_probe_asks_the_health_endpoint_on_the_http_port(render: Render) -> None:
    c = container(render())
    assert c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"] == {"path": "/actuator/health", "port": "http"}


def test_settings_come_from_the_config_map_and_secrets_from_mounted_files(render: Render) -> None:
    objects = render("config.KAIROS_LOG_LEVEL=debug", "config.KAIROS_RETENTION_DAYS=90")
    c = container(objects)
    assert c["envFrom"] == [{"configMapRef": {"name": objects["ConfigMap"]["metadata"]["name"]}}]
    data = objects["ConfigMap"]["data"]
    assert data["KAIROS_LOG_LEVEL"] == "debug" and data["KAIROS_RETENTION_DAYS"] == "90"
    assert data["KAIROS_SECRET_KEY_FILE"] == "/run/secrets/kairos/secret-key"
    # Every variable the chart sets is a real setting.
    fields = {f"KAIROS_{name.upper()}" for name in Settings.model_fields}
    assert set(data) <= fields
    (source,) = volumes(objects)["secrets"]["projected"]["sources"]
    assert source["secret"]["name"] == objects["Secret"]["metadata"]["name"]
    assert source["secret"]["items"] == [{"key": "secret-key", "path": "secret-key"}]
    assert len(objects["Secret"]["data"]["secret-key"]) > 40


def test_postgresql_with_an_existing_secret_makes_no_claim_and_reads_the_password_from_a_file(render: Render) -> None:
    objects = render(*POSTGRES, "database.existingSecret=kairos-db", "database.existingSecretKey=pw")
    assert "PersistentVolumeClaim" not in objects
    assert volumes(objects)["data"] == {"name": "data", "emptyDir": {}}
    data = objects["ConfigMap"]["data"]
    assert data["KAIROS_DATABASE_URL"] == "postgresql://kairos@pg.db.svc:5432/kairos"
    assert data["KAIROS_DATABASE_PASSWORD_FILE"] == "/run/secrets/kairos/database-password"
    sources = [s["secret"] for s in volumes(objects)["secrets"]["projected"]["sources"]]
    assert {"name": "kairos-db", "items": [{"key": "pw", "path": "database-password"}]} in sources
    assert set(objects["Secret"]["data"]) == {"secret-key"}  # the password stays in the user's Secret


def test_a_database_password_given_as_a_value_goes_into_the_charts_secret(render: Render) -> None:
    objects = render(*POSTGRES, "database.password=s3cret", "persistence.enabled=false")
    assert set(objects["Secret"]["data"]) == {"secret-key", "database-password"}
    assert "s3cret" not in yaml.safe_dump(objects["ConfigMap"]) + yaml.safe_dump(objects["Deployment"])


def test_existing_secrets_for_everything_make_the_chart_create_none(render: Render) -> None:
    objects = render(*POSTGRES, "database.existingSecret=db", "secretKey.existingSecret=keys")
    assert "Secret" not in objects
    names = [s["secret"]["name"] for s in volumes(objects)["secrets"]["projected"]["sources"]]
    assert names == ["keys", "db"]


def test_persistence_off_keeps_sqlite_in_an_empty_dir(render: Render) -> None:
    objects = render("persistence.enabled=false")
    assert "PersistentVolumeClaim" not in objects
    assert volumes(objects)["data"] == {"name": "data", "emptyDir": {}}


def test_the_ingress_routes_its_hosts_to_the_service_and_trusts_the_proxy_headers(render: Render) -> None:
    objects = render(
        "ingress.enabled=true",
        "ingress.className=nginx",
        "ingress.hosts[0].host=status.example.com",
        "ingress.hosts[0].paths[0].path=/",
        "ingress.hosts[0].paths[0].pathType=Prefix",
        "ingress.tls[0].secretName=status-tls",
        "ingress.tls[0].hosts[0]=status.example.com",
    )
    spec = objects["Ingress"]["spec"]
    assert spec["ingressClassName"] == "nginx"
    assert spec["tls"] == [{"secretName": "status-tls", "hosts": ["status.example.com"]}]
    (rule,) = spec["rules"]
    assert rule["host"] == "status.example.com"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": objects["Service"]["metadata"]["name"], "port": {"name": "http"}}
    # Was "*": any client reaching the Service chose its own address with X-Forwarded-For.
    trusted = objects["ConfigMap"]["data"]["KAIROS_FORWARDED_ALLOW_IPS"]
    assert trusted == "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
    assert "Ingress" not in render()
    assert "KAIROS_FORWARDED_ALLOW_IPS" not in render()["ConfigMap"]["data"]


def test_the_ingress_trusts_only_the_proxies_it_is_given_and_never_everyone(render: Render, helm: str) -> None:
    objects = render("ingress.enabled=true", "ingress.trustedProxies={10.42.0.0/16,fd00:42::/56}")
    assert objects["ConfigMap"]["data"]["KAIROS_FORWARDED_ALLOW_IPS"] == "10.42.0.0/16,fd00:42::/56"
    objects = render("ingress.enabled=true", "ingress.trustedProxies=null")
    assert "KAIROS_FORWARDED_ALLOW_IPS" not in objects["ConfigMap"]["data"]
    objects = render("ingress.enabled=true", "config.KAIROS_FORWARDED_ALLOW_IPS=10.1.2.3")
    assert objects["ConfigMap"]["data"]["KAIROS_FORWARDED_ALLOW_IPS"] == "10.1.2.3"
    args = ["template", "kairos", str(CHART), *helm_args(["ingress.enabled=true", "ingress.trustedProxies={*}"])]
    refused = subprocess.run([helm, *args], capture_output=True, text=True)
    assert refused.returncode != 0 and "must not contain" in refused.stderr


def test_kairos_answers_to_the_services_names_and_the_ingress_hosts_and_to_no_other_host_name(render: Render) -> None:
    # Any other Host gets 400 (DNS rebinding): without these a client inside the cluster calling the Service by
    # name, or a browser coming through the ingress, would be refused.
    service = ["kairos", "kairos.ops", "kairos.ops.svc", "kairos.ops.svc.cluster.local"]
    assert render()["ConfigMap"]["data"]["KAIROS_ALLOWED_HOSTS"].split(",") == service
    host = ["ingress.hosts[0].host=status.example.com", "ingress.hosts[0].paths[0].path=/"]
    objects = render("ingress.enabled=true", *host, "ingress.hosts[0].paths[0].pathType=Prefix")
    assert objects["ConfigMap"]["data"]["KAIROS_ALLOWED_HOSTS"].split(",") == [*service, "status.example.com"]
    objects = render("ingress.enabled=true", "config.KAIROS_ALLOWED_HOSTS=status.example.org")
    assert objects["ConfigMap"]["data"]["KAIROS_ALLOWED_HOSTS"] == "status.example.org"


def test_prometheus_finds_the_pod_by_annotations_and_by_an_optional_service_monitor(render: Render) -> None:
    objects = render("metrics.serviceMonitor.enabled=true", "metrics.serviceMonitor.labels.release=prom")
    annotations = objects["Deployment"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/actuator/prometheus"
    assert annotations["prometheus.io/port"] == "8080"
    monitor = objects["ServiceMonitor"]
    assert monitor["metadata"]["labels"]["release"] == "prom"
    assert monitor["spec"]["selector"]["matchLabels"] == objects["Service"]["spec"]["selector"]
    assert monitor["spec"]["endpoints"][0]["port"] == "http"
    assert monitor["spec"]["endpoints"][0]["path"] == "/actuator/prometheus"
    assert "ServiceMonitor" not in render()


def test_the_service_selects_the_pods_of_the_deployment(render: Render) -> None:
    objects = render()
    pod_labels = objects["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert objects["Service"]["spec"]["selector"].items() <= pod_labels.items()
    assert objects["Service"]["spec"]["ports"][0]["targetPort"] == "http"


@pytest.mark.parametrize(
    "value",
    ["persistnce.enabled=false", "config.KAIROS_PORT=9090", "config.LOG_LEVEL=debug", "database.url=mysql://x"],
)
def test_the_values_schema_refuses_typos_and_settings_the_chart_owns(helm: str, value: str) -> None:
    lint = subprocess.run([helm, "lint", str(CHART), "--set", value], capture_output=True, text=True)
    assert lint.returncode != 0
    assert "schema" in (lint.stdout + lint.stderr).lower()


def test_the_install_notes_say_how_to_reach_kairos_and_where_its_data_is(helm: str) -> None:
    def notes(*values: str) -> str:
        args = [helm, "install", "kairos", str(CHART), "-n", "ops", "--dry-run=client", *helm_args(list(values))]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        return out.split("NOTES:", 1)[1]

    default = notes()
    assert "port-forward service/kairos 8080:8080" in default
    assert "claim kairos-data" in default and "Secret kairos" in default
    ingress = notes(*POSTGRES, "ingress.enabled=true", "ingress.tls[0].hosts[0]=kairos.example.com")
    assert "https://kairos.example.com/" in ingress and "PostgreSQL" in ingress
