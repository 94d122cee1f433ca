"""The Helm chart's fleet mode (web nodes, workers per location, the migration Job), rendered by a real helm, and
single mode's output compared with what the chart rendered before fleet mode existed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from kairos.cli.main import app
from kairos.settings import Settings
from tests.deploy.test_chart import CHART, helm_args

GOLDEN = Path(__file__).parent / "chart_single_golden"
FLEET = ["mode=fleet", "database.url=postgresql://kairos@pg.db.svc:5432/kairos"]
TWO_SITES = [
    *FLEET,
    "database.existingSecret=kairos-db",
    "locations[0].name=eu",
    "locations[0].replicas=3",
    "locations[0].nodeSelector.topology\\.kubernetes\\.io/region=eu-west-1",
    "locations[0].tolerations[0].key=probes",
    "locations[0].tolerations[0].operator=Exists",
    "locations[0].env.KAIROS_DENIED_NETWORKS=10.0.0.0/8",
    "locations[1].name=us_east",
]
# Single-mode value sets whose output must not change (the golden files were rendered before fleet mode).
SINGLE = {
    "defaults": [],
    "postgres-ingress-monitor": [
        "database.url=postgresql://kairos@pg.db.svc:5432/kairos",
        "database.password=s3cret",
        "ingress.enabled=true",
        "ingress.className=nginx",
        "metrics.serviceMonitor.enabled=true",
    ],
}
Objects = dict[tuple[str, str], dict[str, Any]]


def template(helm: str, values: list[str]) -> subprocess.CompletedProcess[str]:
    args = [helm, "template", "kairos", str(CHART), "--namespace", "ops", *helm_args(values)]
    return subprocess.run(args, capture_output=True, text=True)


def render(helm: str, *values: str) -> Objects:
    """helm lint --strict, then helm template: {(kind, name): object}."""
    lint = subprocess.run([helm, "lint", "--strict", str(CHART), *helm_args(list(values))], capture_output=True)
    assert lint.returncode == 0, lint.stdout.decode() + lint.stderr.decode()
    out = template(helm, list(values))
    assert out.returncode == 0, out.stderr
    docs = [d for d in yaml.safe_load_all(out.stdout) if d]
    objects = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    assert len(objects) == len(docs)
    return objects


def pod(deployment: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = deployment["spec"]["template"]["spec"]
    return spec


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod(deployment)["containers"]
    return dict(only)


def env(deployment: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container(deployment).get("env", [])}


def selects(selector: dict[str, str], deployment: dict[str, Any]) -> bool:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return selector.items() <= labels.items()


def test_fleet_mode_runs_web_nodes_behind_the_service_and_one_worker_deployment_per_location(helm: str) -> None:
    objects = render(helm, *TWO_SITES)
    deployments = {name for kind, name in objects if kind == "Deployment"}
    assert deployments == {"kairos-web", "kairos-worker-eu", "kairos-worker-us-east"}
    assert ("PersistentVolumeClaim", "kairos-data") not in objects  # PostgreSQL only: no SQLite claim
    web = objects[("Deployment", "kairos-web")]
    assert web["spec"]["replicas"] == 2
    assert web["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    assert container(web)["command"] == ["kairos", "serve"] and env(web) == {"KAIROS_ROLE": "web"}
    # The Service (and so the Ingress) sends requests to the web nodes, never to a worker.
    selector = objects[("Service", "kairos")]["spec"]["selector"]
    assert selects(selector, web)
    assert not any(selects(selector, objects[("Deployment", d)]) for d in deployments - {"kairos-web"})
    assert web["spec"]["selector"]["matchLabels"].items() <= web["spec"]["template"]["metadata"]["labels"].items()


def test_the_web_nodes_keep_one_pod_through_voluntary_disruptions(helm: str) -> None:
    objects = render(helm, *FLEET)
    budget = objects[("PodDisruptionBudget", "kairos-web")]
    assert budget["spec"]["minAvailable"] == 1
    assert (
        budget["spec"]["selector"]["matchLabels"]
        == objects[("Deployment", "kairos-web")]["spec"]["selector"]["matchLabels"]
    )
    objects = render(helm, *FLEET, "web.replicas=4", "web.podDisruptionBudget.enabled=false")
    assert objects[("Deployment", "kairos-web")]["spec"]["replicas"] == 4
    assert not [key for key in objects if key[0] == "PodDisruptionBudget"]
    # A second install that only adds workers elsewhere has no web node at all.
    objects = render(helm, *FLEET, "web.replicas=0")
    assert ("Deployment", "kairos-web") not in objects and ("Deployment", "kairos-worker-local") in objects


def test_a_worker_knows_its_location_and_its_pod_name_and_is_probed_on_its_own_port(helm: str) -> None:
    objects = render(helm, *TWO_SITES)
    eu, us = objects[("Deployment", "kairos-worker-eu")], objects[("Deployment", "kairos-worker-us-east")]
    assert eu["spec"]["replicas"] == 3 and us["spec"]["replicas"] == 1
    assert eu["spec"]["strategy"]["type"] == "RollingUpdate"
    assert env(eu) == {
        "KAIROS_ROLE": "worker",
        "KAIROS_LOCATION": "eu",
        "KAIROS_WORKER_ID": {"fieldRef": {"fieldPath": "metadata.name"}},
        "KAIROS_WORKER_PORT": "9464",
        "KAIROS_DENIED_NETWORKS": "10.0.0.0/8",
    }
    assert env(us)["KAIROS_LOCATION"] == "us_east"  # the name as resources use it; only the object name has '-'
    c = container(eu)
    assert c["command"] == ["kairos", "worker"]
    assert c["ports"] == [{"name": "metrics", "containerPort": 9464, "protocol": "TCP"}]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"] == {"path": "/actuator/health", "port": "metrics"}
    assert pod(eu)["nodeSelector"] == {"topology.kubernetes.io/region": "eu-west-1"}
    assert pod(eu)["tolerations"] == [{"key": "probes", "operator": "Exists"}]
    assert "nodeSelector" not in pod(us) and "tolerations" not in pod(us)
    labels = eu["spec"]["template"]["metadata"]["labels"]
    assert labels["kairos.io/location"] == "eu" and labels["app.kubernetes.io/component"] == "worker"
    # Both locations' pods are told apart by their Deployments' selectors.
    assert not selects(eu["spec"]["selector"]["matchLabels"], us)


def test_every_variable_the_fleet_pods_get_is_a_real_setting_and_every_command_a_real_one(helm: str) -> None:
    objects = render(helm, *TWO_SITES)
    fields = {f"KAIROS_{name.upper()}" for name in Settings.model_fields}
    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    for (kind, _), obj in objects.items():
        if kind in {"Deployment", "Job"}:
            assert set(env(obj)) <= fields
            executable, command = container(obj)["command"]
            assert executable == "kairos" and command in commands
    assert set(objects[("ConfigMap", "kairos")]["data"]) <= fields
    # The chart's location names are a subset of what Kairos accepts.
    for name in ("eu", "us_east", "a", "r2-d2"):
        assert Settings(location=name).location == name


def test_fleet_pods_share_the_secret_key_and_read_the_database_password_from_a_file(helm: str) -> None:
    objects = render(helm, *TWO_SITES)
    for name in ("kairos-web", "kairos-worker-eu"):
        volumes = {v["name"]: v for v in pod(objects[("Deployment", name)])["volumes"]}
        sources = [s["secret"] for s in volumes["secrets"]["projected"]["sources"]]
        assert sources == [
            {"name": "kairos", "items": [{"key": "secret-key", "path": "secret-key"}]},
            {"name": "kairos-db", "items": [{"key": "password", "path": "database-password"}]},
        ]
        assert volumes["data"] == {"name": "data", "emptyDir": {}}


def test_a_hook_job_migrates_the_schema_once_before_the_pods_start(helm: str) -> None:
    objects = render(helm, *TWO_SITES)
    job = objects[("Job", "kairos-migrate")]
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert container(job)["command"] == ["kairos", "migrate"]
    assert env(job)["KAIROS_DATABASE_URL"] == "postgresql://kairos@pg.db.svc:5432/kairos"
    assert env(job)["KAIROS_DATABASE_PASSWORD_FILE"] == "/run/secrets/kairos/database-password"
    (source,) = {v["name"]: v for v in pod(job)["volumes"]}["secrets"]["projected"]["sources"]
    assert source["secret"]["name"] == "kairos-db"  # the user's Secret exists before the release
    assert pod(job)["restartPolicy"] == "Never"
    assert container(job)["securityContext"]["readOnlyRootFilesystem"] is True
    # A password given as a value: the chart's own Secret does not exist yet when the hook runs, so the Job gets
    # a hook Secret, made just before it (lower weight) and deleted once it succeeded.
    objects = render(helm, *FLEET, "database.password=s3cret")
    hook_secret = objects[("Secret", "kairos-migrate")]
    assert int(hook_secret["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(annotations["helm.sh/hook-weight"])
    assert "hook-succeeded" in hook_secret["metadata"]["annotations"]["helm.sh/hook-delete-policy"]
    job = objects[("Job", "kairos-migrate")]
    (source,) = {v["name"]: v for v in pod(job)["volumes"]}["secrets"]["projected"]["sources"]
    assert source["secret"]["name"] == "kairos-migrate"
    assert ("Job", "kairos-migrate") not in render(helm, *FLEET, "migrations.job=false")
    assert not [key for key in render(helm) if key[0] == "Job"]  # single mode: one pod migrates by itself


def test_prometheus_scrapes_the_workers_listener_with_their_location(helm: str) -> None:
    objects = render(helm, *FLEET, "metrics.serviceMonitor.enabled=true")
    worker = objects[("Deployment", "kairos-worker-local")]
    annotations = worker["spec"]["template"]["metadata"]["annotations"]
    assert (annotations["prometheus.io/port"], annotations["prometheus.io/path"]) == ("9464", "/metrics")
    service = objects[("Service", "kairos-workers")]
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["ports"] == [{"name": "metrics", "port": 9464, "targetPort": "metrics", "protocol": "TCP"}]
    assert selects(service["spec"]["selector"], worker)
    assert not selects(service["spec"]["selector"], objects[("Deployment", "kairos-web")])
    monitor = objects[("ServiceMonitor", "kairos")]
    assert {(e["port"], e["path"]) for e in monitor["spec"]["endpoints"]} == {
        ("http", "/actuator/prometheus"),
        ("metrics", "/metrics"),
    }
    assert monitor["spec"]["podTargetLabels"] == ["kairos.io/location"]
    # With KAIROS_METRICS_REQUIRE_KEY both listeners want the key.
    key = "metrics.serviceMonitor.bearerTokenSecret.name=kairos-metrics-key"
    endpoints = render(helm, *FLEET, "metrics.serviceMonitor.enabled=true", key)[("ServiceMonitor", "kairos")]
    credentials = [e["authorization"]["credentials"] for e in endpoints["spec"]["endpoints"]]
    assert credentials == [{"name": "kairos-metrics-key", "key": "api-key"}] * 2
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["mode=fleet"], "mode fleet needs PostgreSQL: set database.url"),
        (["mode=fleet", "persistence.enabled=false"], "mode fleet needs PostgreSQL: set database.url"),
        ([*FLEET, "locations=null"], "mode fleet needs at least one entry in locations"),
        ([*FLEET, "locations[0].name=eu", "locations[1].name=eu"], 'locations: "eu" is listed twice'),
        ([*FLEET, "locations[0].name=us_east", "locations[1].name=us-east"], '"us-east" is listed twice'),
    ],
)
def test_fleet_mode_without_postgresql_or_with_clashing_locations_fails_with_a_message(
    helm: str, values: list[str], message: str
) -> None:
    refused = template(helm, values)
    assert refused.returncode != 0
    assert message in refused.stderr


@pytest.mark.parametrize(
    "value",
    [
        "mode=cluster",
        "locations[0].name=EU",
        "locations[0].name=eu-",
        "locations[0].env.KAIROS_LOCATION=us",
        "locations[0].env.KAIROS_WORKER_ID=w1",
        "locations[0].zone=eu",
        "config.KAIROS_ROLE=web",
        "config.KAIROS_WORKER_PORT=9000",
        "web.replica=3",
    ],
)
def test_the_values_schema_refuses_what_the_fleet_mode_sets_itself_and_typos(helm: str, value: str) -> None:
    lint = subprocess.run([helm, "lint", str(CHART), *helm_args([*FLEET, value])], capture_output=True, text=True)
    assert lint.returncode != 0
    assert "schema" in (lint.stdout + lint.stderr).lower()


@pytest.mark.parametrize("name", sorted(SINGLE))
def test_single_mode_renders_exactly_what_it_rendered_before_fleet_mode(helm: str, name: str) -> None:
    """The golden files are the chart's output before fleet mode (generated secret keys left out). A deliberate
    change to single mode: KAIROS_UPDATE_GOLDEN=1 rewrites them, and the diff shows in review."""
    out = template(helm, SINGLE[name])
    assert out.returncode == 0, out.stderr
    rendered = "".join(line for line in out.stdout.splitlines(keepends=True) if "secret-key:" not in line)
    golden = GOLDEN / f"{name}.yaml"
    if os.environ.get("KAIROS_UPDATE_GOLDEN"):
        golden.write_text(rendered)
    assert rendered == golden.read_text()
