"""An unchanged export goes back in where it came from without any variable set (issue 16).

Seeded with a notification channel, a registry credential, an HTTP header and a discovery source's password
(read once from files below KAIROS_SECRETS_DIR, then the files are gone): export → preview → apply changes
nothing through the API, the console and the CLI; the plan says which stored secrets were kept. A variable that
is set replaces the stored value; a new object, or a reference that changed, says exactly what to do; and a
document cannot point one object's placeholder at another object's stored secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from kairos.db.models import Credential, NotificationChannel
from tests.harness import Running
from tests.web.pages import admin_browser, csrf_of

SEED = """apiVersion: kairos/v1
kind: KairosConfig
credentials:
  - name: registry
    pattern: 127.0.0.1:*
    username: robot
    secret: {file: cred}
resources:
  - name: api
    type: HTTP
    target: http://127.0.0.1:9/health
    options: {headers: {X-Token: {file: header}}}
discoverySources:
  - name: team registry
    prefix: 127.0.0.1:9/team
    username: robot
    password: {file: disco}
notificationChannels:
  - name: local webhook
    kind: APPRISE
    url: {file: hook}
"""
FILES = {"cred": "cred-pa55", "header": "h3ader", "disco": "disco-pa55", "hook": "json://127.0.0.1:9/hook"}
KEPT = [
    {"section": "credentials", "name": "registry", "field": "secret"},
    {"section": "resources", "name": "api", "field": "options.headers.X-Token"},
    {"section": "discoverySources", "name": "team registry", "field": "password"},
    {"section": "notificationChannels", "name": "local webhook", "field": "url"},
]
HOOK_REF = "${KAIROS_SECRET_NOTIFY_LOCAL_WEBHOOK}"


@pytest.fixture(autouse=True)
def no_secret_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("KAIROS_SECRET_") and name != "KAIROS_SECRET_KEY":
            monkeypatch.delenv(name)


async def _import(kairos: Running, text: str, dry_run: bool = True) -> dict[str, Any]:
    params = {"dryRun": "true" if dry_run else "false"}
    response = await kairos.client.post("/api/config/import", content=text.encode(), params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _seeded_export(kairos: Running, secrets_dir: Path) -> str:
    for name, value in FILES.items():
        (secrets_dir / name).write_text(value + "\n")
    assert (await _import(kairos, SEED, dry_run=False))["counts"]["create"] == 4
    for name in FILES:
        (secrets_dir / name).unlink()  # nothing left to resolve: only the stored secrets remain
    response = await kairos.client.get("/api/config/export")
    assert response.status_code == 200
    assert HOOK_REF in response.text and not any(v in response.text for v in FILES.values())
    return response.text


async def _stored(kairos: Running) -> tuple[str, str]:
    async with kairos.runtime.sessionmaker() as session:
        cred = (await session.execute(select(Credential))).scalar_one()
        hook = (await session.execute(select(NotificationChannel))).scalar_one()
    return kairos.runtime.box.open(cred.secret_enc), kairos.runtime.box.open(hook.url_enc)


async def test_an_unchanged_export_previews_and_applies_as_no_change_through_the_api(
    kairos: Running, secrets_dir: Path
) -> None:
    exported = await _seeded_export(kairos, secrets_dir)
    for dry_run in (True, False, True):
        plan = await _import(kairos, exported, dry_run=dry_run)
        assert plan["changes"] == [] and plan["kept"] == KEPT, plan
    assert await _stored(kairos) == ("cred-pa55", "json://127.0.0.1:9/hook")


async def test_exports_made_before_the_prefix_rule_still_keep_the_stored_secrets(
    kairos: Running, secrets_dir: Path
) -> None:
    old = (await _seeded_export(kairos, secrets_dir)).replace("${KAIROS_SECRET_", "${KAIROS_")
    assert "${KAIROS_NOTIFY_LOCAL_WEBHOOK}" in old
    plan = await _import(kairos, old, dry_run=False)
    assert plan["changes"] == [] and len(plan["kept"]) == 4, plan


async def test_the_console_previews_and_applies_an_export_with_nothing_to_change(
    kairos: Running, secrets_dir: Path
) -> None:
    exported = await _seeded_export(kairos, secrets_dir)
    async with admin_browser(kairos) as browser:
        page = await browser.get("/admin/config")
        form = {"csrf_token": csrf_of(page.text), "document": exported, "action": "preview"}
        preview = await browser.post("/admin/config", data=form)
        assert preview.status_code == 200, preview.text
        assert 'id="config-nothing"' in preview.text and 'id="config-kept"' in preview.text
        assert "“local webhook” url: unchanged (stored secret kept)" in preview.text
        applied = await browser.post("/admin/config", data=form | {"action": "apply"})
    assert applied.status_code == 200 and 'id="config-applied"' in applied.text
    assert "Applied: 0 created, 0 changed, 0 deleted." in applied.text
    assert await _stored(kairos) == ("cred-pa55", "json://127.0.0.1:9/hook")


async def test_a_variable_that_is_set_replaces_the_stored_secret(
    kairos: Running, secrets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = await _seeded_export(kairos, secrets_dir)
    monkeypatch.setenv("KAIROS_SECRET_NOTIFY_LOCAL_WEBHOOK", "json://127.0.0.1:9/other")
    plan = await _import(kairos, exported, dry_run=False)
    assert plan["changes"] == [
        {"section": "notificationChannels", "name": "local webhook", "action": "update", "fields": ["url"]}
    ]
    assert [k["section"] for k in plan["kept"]] == ["credentials", "resources", "discoverySources"]
    assert await _stored(kairos) == ("cred-pa55", "json://127.0.0.1:9/other")
    # Set to the value it already has: used, and no change.
    again = await _import(kairos, exported)
    assert again["changes"] == [] and len(again["kept"]) == 3


async def test_a_new_object_or_a_changed_reference_says_what_to_do(kairos: Running, secrets_dir: Path) -> None:
    exported = await _seeded_export(kairos, secrets_dir)
    renamed = exported.replace("name: local webhook", "name: pager").replace(HOOK_REF, "${KAIROS_SECRET_NOTIFY_PAGER}")
    response = await kairos.client.post("/api/config/import", content=renamed.encode())
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "secret_unavailable" and error["field"] == "notificationChannels[0].url"
    assert error["message"].endswith(
        "secret reference not allowed or not available: set KAIROS_SECRET_NOTIFY_PAGER to the channel's URL, "
        "or remove the channel from the file"
    )
    changed = exported.replace(HOOK_REF, "${KAIROS_SECRET_PAGER}")
    response = await kairos.client.post("/api/config/import", content=changed.encode())
    assert response.status_code == 422
    assert response.json()["error"]["message"].endswith(
        f"write {HOOK_REF} to keep the stored one, or remove the channel from the file"
    )


async def test_a_document_cannot_move_a_stored_secret_to_another_object(kairos: Running, secrets_dir: Path) -> None:
    """The file is the attacker's: the credential's placeholder on a new channel (a URL they might receive)
    must not hand it the credential's secret, nor may another channel's placeholder."""
    exported = await _seeded_export(kairos, secrets_dir)
    for ref in ("${KAIROS_SECRET_CREDENTIAL_REGISTRY}", "${KAIROS_SECRET_NOTIFY_SPY}", HOOK_REF):
        doc = yaml.safe_load(exported)
        doc["notificationChannels"].append({"name": "spy", "kind": "APPRISE", "url": ref})
        stolen = yaml.safe_dump(doc)
        response = await kairos.client.post("/api/config/import", content=stolen.encode(), params={"dryRun": "false"})
        assert response.status_code == 422 and response.json()["error"]["code"] == "secret_unavailable"
        assert "cred-pa55" not in response.text
    async with kairos.runtime.sessionmaker() as session:
        names = list((await session.execute(select(NotificationChannel.name))).scalars())
    assert names == ["local webhook"]


def _cli(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_SECRET_") or k == "KAIROS_SECRET_KEY"}
    full.pop("KAIROS_DATABASE_URL", None)
    full |= {"KAIROS_DATA_DIR": str(data_dir), **env}
    return subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", *args], env=full, capture_output=True, text=True, timeout=60
    )


def test_the_cli_round_trip_keeps_stored_secrets_and_says_what_to_do(tmp_path: Path, secrets_dir: Path) -> None:
    for name, value in FILES.items():
        (secrets_dir / name).write_text(value + "\n")
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED)
    made = _cli(["import", str(seed), "--yes"], tmp_path, KAIROS_SECRETS_DIR=str(secrets_dir))
    assert made.returncode == 0, made.stderr
    exported = _cli(["export"], tmp_path)
    assert exported.returncode == 0 and HOOK_REF in exported.stdout, exported.stderr
    doc = tmp_path / "kairos.yaml"
    doc.write_text(exported.stdout)
    for args in (["--dry-run"], ["--yes"]):
        out = _cli(["import", str(doc), *args], tmp_path)
        assert out.returncode == 0, out.stderr
        assert "= notificationChannels 'local webhook' url: unchanged (stored secret kept)" in out.stdout
        assert "= credentials 'registry' secret: unchanged (stored secret kept)" in out.stdout
        assert "0 to create, 0 to change, 0 to delete" in out.stdout
    doc.write_text(exported.stdout.replace("name: local webhook", "name: pager").replace("LOCAL_WEBHOOK", "PAGER"))
    out = _cli(["import", str(doc), "--dry-run"], tmp_path)
    assert out.returncode == 1
    assert out.stderr.strip().endswith(
        "notificationChannels[0].url: the environment variable KAIROS_SECRET_NOTIFY_PAGER is not set: "
        "set KAIROS_SECRET_NOTIFY_PAGER to the channel's URL, or remove the channel from the file"
    )
