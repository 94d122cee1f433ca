"""Configuration as code: export, import (dry run, one transaction, prune), secrets, Java Kairos, start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kairos.config_as_code.secrets import SecretPolicy
from kairos.config_as_code.service import import_text
from kairos.crypto import SecretBox
from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import Credential, DiscoverySource, Resource
from tests.dbs import DatabaseFactory
from tests.harness import Running, make_settings, running_kairos

DATA = Path(__file__).parent / "data"
SECRET = "registry-pa55"


@pytest.fixture
def sample(secrets_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    secret_file = secrets_dir / "discovery-secret"
    secret_file.write_text("disco-pa55\n")
    monkeypatch.setenv("KAIROS_SECRET_TEST_REGISTRY", SECRET)
    return (DATA / "kairos.yaml").read_text().replace("SECRET_FILE", str(secret_file))


async def _import(kairos: Running, text: str, **params: str) -> dict[str, Any]:
    response = await kairos.client.post("/api/config/import", content=text.encode(), params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _export(kairos: Running) -> str:
    response = await kairos.client.get("/api/config/export")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/yaml")
    return response.text


async def _count(kairos: Running, model: type) -> int:
    async with kairos.runtime.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_dry_run_lists_every_creation_and_changes_nothing(kairos: Running, sample: str) -> None:
    diff = await _import(kairos, sample)
    assert diff["dryRun"] is True
    created = {(c["section"], c["name"]) for c in diff["changes"] if c["action"] == "create"}
    assert ("resources", "api") in created and ("groups", "Internal") in created
    assert ("credentials", "registry") in created and ("discoverySources", "team registry") in created
    assert diff["counts"]["delete"] == 0
    assert await _count(kairos, Resource) == 0


async def test_applied_changes_reach_the_scheduler_and_reimporting_the_export_is_a_no_op(
    kairos: Running, sample: str
) -> None:
    await _import(kairos, sample, dryRun="false")
    names = {r.name for r in kairos.runtime.scheduler.resources.values()}
    assert {"api", "shop", "db", "app-image"} <= names
    exported = await _export(kairos)
    os.environ["KAIROS_SECRET_DISCOVERY_TEAM_REGISTRY"] = "disco-pa55"
    os.environ["KAIROS_SECRET_CREDENTIAL_REGISTRY"] = SECRET
    try:
        again = await _import(kairos, exported, dryRun="false")
    finally:
        del os.environ["KAIROS_SECRET_DISCOVERY_TEAM_REGISTRY"], os.environ["KAIROS_SECRET_CREDENTIAL_REGISTRY"]
    assert again["changes"] == [], again


async def test_an_export_imported_into_a_fresh_database_exports_the_same(
    kairos: Running, sample: str, databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _import(kairos, sample, dryRun="false")
    first = await _export(kairos)
    monkeypatch.setenv("KAIROS_SECRET_DISCOVERY_TEAM_REGISTRY", "disco-pa55")
    monkeypatch.setenv("KAIROS_SECRET_CREDENTIAL_REGISTRY", SECRET)
    url = databases.fresh()
    try:
        upgrade_to_head(url)
        engine = make_engine(url)
        box = SecretBox("another-key")
        async with make_sessionmaker(engine)() as session:
            policy = SecretPolicy(env_prefix="KAIROS_SECRET_", enabled=True, detailed=True)
            await import_text(session, first, box, source="first.yaml", dry_run=False, secrets=policy)
        async with make_sessionmaker(engine)() as session:
            from kairos.config_as_code.export import export_config, to_yaml

            second = to_yaml(await export_config(session))
            cred = (await session.execute(select(Credential))).scalar_one()
            assert box.open(cred.secret_enc) == SECRET
        await engine.dispose()
    finally:
        databases.drop(url)
    assert second == first


async def test_secrets_are_never_exported_in_clear(kairos: Running, sample: str) -> None:
    await _import(kairos, sample, dryRun="false")
    exported = await _export(kairos)
    assert SECRET not in exported and "disco-pa55" not in exported
    assert "secret: ${KAIROS_SECRET_CREDENTIAL_REGISTRY}" in exported
    assert "password: ${KAIROS_SECRET_DISCOVERY_TEAM_REGISTRY}" in exported


async def test_a_missing_environment_variable_gets_the_fixed_message_over_http(
    kairos: Running, sample: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Over HTTP the message does not say whether the variable is set (the CLI does: see test_secrets.py).
    monkeypatch.delenv("KAIROS_SECRET_TEST_REGISTRY")
    response = await kairos.client.post("/api/config/import", content=sample.encode())
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message == (
        "body:19: credentials[0].secret: secret reference not allowed or not available: on the server, set what it "
        "names (KAIROS_SECRET_ENV_PREFIX, KAIROS_SECRETS_DIR), or remove the credential from the file"
    )


async def test_a_secret_written_in_clear_is_refused(kairos: Running, sample: str) -> None:
    text = sample.replace("${KAIROS_SECRET_TEST_REGISTRY}", "hunter2")
    response = await kairos.client.post("/api/config/import", content=text.encode())
    assert response.status_code == 422
    assert "body:19: credentials[0].secret: must be a reference" in response.json()["error"]["message"]


async def test_one_invalid_resource_leaves_the_database_untouched(kairos: Running, sample: str) -> None:
    bad = sample.replace("target: db.example.com:5432", "target: db.example.com")
    response = await kairos.client.post("/api/config/import", content=bad.encode(), params={"dryRun": "false"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"].startswith("body:32: resources[2].target: "), error
    assert await _count(kairos, Resource) == 0
    assert await _count(kairos, Credential) == 0 and await _count(kairos, DiscoverySource) == 0


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("type: TCP", "type: SMTP"), "body:31: resources[2].type: "),
        (("intervalSeconds: 30", "intervalSeconds: 1"), "body:25: resources[0].intervalSeconds: "),
        (("    options: {}", "    options: {colour: red}"), "body:29: resources[1].options.colour: unknown field"),
        (("    active: false", "    enabled: false"), "body:33: resources[2].enabled: unknown field"),
        (("groups: [Internal]", "groups: [Nope]"), "body:34: resources[2].groups[0]: group 'Nope' does not exist"),
        (("kind: KairosConfig", "kind: Other"), "body:2: kind: "),
        (("apiVersion: kairos/v1", "apiVersion: kairos/v9"), "body:1: apiVersion: unsupported apiVersion"),
        (("  - name: db\n", "  - name: api\n"), "body:30: resources[2].name: 'api' is listed twice"),
    ],
)
async def test_errors_name_the_line_and_the_field(
    kairos: Running, sample: str, edit: tuple[str, str], expected: str
) -> None:
    assert edit[0] in sample
    response = await kairos.client.post("/api/config/import", content=sample.replace(*edit, 1).encode())
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(expected), response.json()


async def test_changes_and_prune_are_reported_per_object(kairos: Running, sample: str) -> None:
    await _import(kairos, sample, dryRun="false")
    image = "  - name: app-image\n    type: DOCKER\n    target: registry.example.com/team/app:1.0\n"
    edited = sample.replace("intervalSeconds: 30", "intervalSeconds: 90").replace(
        image + "    credential: registry\n", ""
    )
    diff = await _import(kairos, edited)
    assert diff["changes"] == [
        {"section": "resources", "name": "api", "action": "update", "fields": ["intervalSeconds"]}
    ]
    pruned = await _import(kairos, edited, prune="true", dryRun="false")
    assert {"section": "resources", "name": "app-image", "action": "delete", "fields": []} in pruned["changes"]
    assert await _count(kairos, Resource) == 3
    assert "app-image" not in {r.name for r in kairos.runtime.scheduler.resources.values()}


async def test_the_java_kairos_export_becomes_resources_in_public_groups(kairos: Running) -> None:
    text = (DATA / "java-kairos-export.yaml").read_text()
    diff = await _import(kairos, text, dryRun="false")
    assert diff["counts"] == {"create": 6, "update": 0, "delete": 0}
    groups = (await kairos.client.get("/api/groups")).json()
    assert [(g["name"], g["visibility"]) for g in groups] == [("Public sites", "PUBLIC"), ("Databases", "PUBLIC")]
    resources = {r["name"]: r for r in (await kairos.client.get("/api/resources")).json()}
    assert resources["Payments API"]["resourceType"] == "HTTP" and resources["Payments API"]["skipTLS"] is True
    assert resources["Base images"]["resourceType"] == "DOCKER" and resources["Base images"]["active"] is False
    assert (await _import(kairos, text))["changes"] == []


async def test_only_admins_may_export_or_import(kairos: Running) -> None:
    assert (await kairos.anon.get("/api/config/export")).status_code == 401
    assert (await kairos.anon.post("/api/config/import", content=b"x")).status_code == 401


async def test_the_config_file_is_applied_at_start(db_url: str, tmp_path: Path, sample: str, secrets_dir: Path) -> None:
    path = tmp_path / "kairos.yaml"
    path.write_text(sample)
    settings = make_settings(db_url, tmp_path, config_file=path, secrets_dir=secrets_dir)
    async with running_kairos(settings) as running:
        assert {"api", "shop", "db", "app-image"} <= {r.name for r in running.runtime.scheduler.resources.values()}


def _cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "KAIROS_DATA_DIR": str(tmp_path), **env}
    full.pop("KAIROS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", *args], env=full, capture_output=True, text=True, timeout=60
    )


def test_a_bad_config_file_stops_start_up_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "kairos.yaml"
    path.write_text(
        "apiVersion: kairos/v1\nkind: KairosConfig\nresources:\n  - name: x\n    type: HTTP\n    target: ftp://x\n"
    )
    out = _cli(["serve", "--port", "1"], tmp_path, KAIROS_CONFIG_FILE=str(path))
    assert out.returncode == 2, out.stderr
    assert f"{path}:6: resources[0].target: scheme 'ftp' is not supported" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_the_cli_dry_run_prints_the_diff_and_errors_exit_1(tmp_path: Path) -> None:
    java = DATA / "java-kairos-export.yaml"
    out = _cli(["import", str(java), "--dry-run"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "+ resources 'Shop front'" in out.stdout and "dry run: nothing was changed" in out.stdout
    assert "resources: []" in _cli(["export"], tmp_path).stdout
    applied = _cli(["import", str(java), "--yes"], tmp_path)
    assert applied.returncode == 0 and "applied" in applied.stdout
    assert "name: Shop front" in _cli(["export"], tmp_path).stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: kairos-resources\nschemaVersion: 1\nresources:\n  - name: a\n    resourceType: FTP\n")
    refused = _cli(["import", str(bad), "--yes"], tmp_path)
    assert refused.returncode == 1 and "bad.yaml:5: resources[0].type: " in refused.stderr, refused.stderr


HOOK = "https://hooks.example.com/kairos?token=n0tify-t0ken"
NOTIFY = """notificationChannels:
  - name: on call
    kind: WEBHOOK
    url: ${KAIROS_SECRET_TEST_HOOK}
notificationPolicies:
  - name: web outages
    channel: on call
    events: [outage_opened, outage_resolved]
    scope: {groups: [Web]}
    reminderIntervalSeconds: 3600
  - name: db down
    channel: on call
    events: [outage_opened]
    scope: {resources: [db]}
    active: false
"""


async def _policies(kairos: Running) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in (await kairos.client.get("/api/notifications/policies")).json()}


async def test_notification_channels_and_policies_round_trip_by_name(
    kairos: Running, sample: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_SECRET_TEST_HOOK", HOOK)
    diff = await _import(kairos, sample + NOTIFY, dryRun="false")
    created = {(c["section"], c["name"]) for c in diff["changes"] if c["action"] == "create"}
    assert {("notificationChannels", "on call"), ("notificationPolicies", "web outages")} <= created
    channel = (await kairos.client.get("/api/notifications/channels")).json()[0]
    assert channel["urlHint"] == "https://…" and channel["kind"] == "WEBHOOK"
    policies = await _policies(kairos)
    groups = {g["name"]: g["id"] for g in (await kairos.client.get("/api/groups")).json()}
    assert policies["web outages"]["scope"] == "groups" and policies["web outages"]["scopeIds"] == [groups["Web"]]
    assert policies["web outages"]["reminderIntervalSeconds"] == 3600 and policies["db down"]["active"] is False
    notifications = kairos.runtime.notifications
    assert notifications is not None and [p.id for p in notifications.policies.active] == [
        policies["web outages"]["id"]
    ]
    exported = await _export(kairos)
    assert "url: ${KAIROS_SECRET_NOTIFY_ON_CALL}" in exported and "- name: web outages\n  channel: on call" in exported
    monkeypatch.setenv("KAIROS_SECRET_DISCOVERY_TEAM_REGISTRY", "disco-pa55")
    monkeypatch.setenv("KAIROS_SECRET_CREDENTIAL_REGISTRY", SECRET)
    monkeypatch.setenv("KAIROS_SECRET_NOTIFY_ON_CALL", HOOK)
    assert (await _import(kairos, exported, dryRun="false"))["changes"] == []
    monkeypatch.setenv("KAIROS_SECRET_NOTIFY_ON_CALL", HOOK + "2")
    changed = (await _import(kairos, exported))["changes"]
    assert changed == [{"section": "notificationChannels", "name": "on call", "action": "update", "fields": ["url"]}]


async def test_notification_urls_are_never_exported_in_clear(
    kairos: Running, sample: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_SECRET_TEST_HOOK", HOOK)
    await _import(kairos, sample + NOTIFY, dryRun="false")
    exported = await _export(kairos)
    assert "n0tify-t0ken" not in exported and "hooks.example.com" not in exported
    clear = (sample + NOTIFY).replace("${KAIROS_SECRET_TEST_HOOK}", HOOK)
    response = await kairos.client.post("/api/config/import", content=clear.encode())
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("body:50: notificationChannels[0].url: must be a reference")


async def test_an_unknown_channel_in_a_policy_names_the_line_and_changes_nothing(
    kairos: Running, sample: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_SECRET_TEST_HOOK", HOOK)
    bad = (sample + NOTIFY).replace("channel: on call", "channel: pager", 1)
    response = await kairos.client.post("/api/config/import", content=bad.encode(), params={"dryRun": "false"})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message == "body:53: notificationPolicies[0].channel: notification channel 'pager' does not exist"
    assert (await kairos.client.get("/api/notifications/channels")).json() == []
    assert await _count(kairos, Resource) == 0
    unknown = (sample + NOTIFY).replace("{resources: [db]}", "{resources: [dbx]}")
    response = await kairos.client.post("/api/config/import", content=unknown.encode())
    assert response.json()["error"]["message"] == (
        "body:60: notificationPolicies[1].scope.resources[0]: resource 'dbx' does not exist"
    )


async def test_prune_deletes_a_notification_policy_the_file_does_not_name(
    kairos: Running, sample: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_SECRET_TEST_HOOK", HOOK)
    await _import(kairos, sample + NOTIFY, dryRun="false")
    fewer = sample + NOTIFY.split("  - name: db down")[0]
    assert (await _import(kairos, fewer, dryRun="false"))["changes"] == []
    assert set(await _policies(kairos)) == {"web outages", "db down"}
    pruned = await _import(kairos, fewer, dryRun="false", prune="true")
    assert pruned["changes"] == [
        {"section": "notificationPolicies", "name": "db down", "action": "delete", "fields": []}
    ]
    assert set(await _policies(kairos)) == {"web outages"}
