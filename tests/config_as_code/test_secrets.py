"""Secret references in configuration as code reach only what the operator allowed (docs/security.md).

Over HTTP (admin API, console) nothing is resolved unless KAIROS_CONFIG_API_SECRETS=true; even then files only
below KAIROS_SECRETS_DIR and variables only with KAIROS_SECRET_ENV_PREFIX, and every refusal reads the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kairos.db.models import Credential, Resource
from tests.harness import Running
from tests.web.pages import admin_browser, csrf_of

FIXED = "secret reference not allowed or not available"
# What to do: the same words for every reference (none named), whatever exists or is set on the server.
LOCKED = f"{FIXED}: this server resolves no reference over HTTP (KAIROS_CONFIG_API_SECRETS): run kairos import on the "
LOCKED += "server, "
OPEN = f"{FIXED}: on the server, set what it names (KAIROS_SECRET_ENV_PREFIX, KAIROS_SECRETS_DIR), "
REMOVE = "or remove the credential from the file"


def _credential(secret: str) -> str:
    return f"""apiVersion: kairos/v1
kind: KairosConfig
credentials:
  - name: leak
    pattern: 127.0.0.1:*
    username: x
    secret: {secret}
"""


async def _refused(kairos: Running, document: str, dry_run: str) -> dict[str, Any]:
    response = await kairos.client.post("/api/config/import", content=document.encode(), params={"dryRun": dry_run})
    assert response.status_code == 422, response.text
    return dict(response.json()["error"])


async def _stored_secret(kairos: Running) -> str | None:
    async with kairos.runtime.sessionmaker() as session:
        row = (await session.execute(Credential.__table__.select())).first()
    return None if row is None else kairos.runtime.box.open(row.secret_enc)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "outside-secret.txt"
    path.write_text("server-only\n")
    return path


@pytest.mark.parametrize("dry_run", ["true", "false"])
async def test_by_default_the_http_import_resolves_no_reference(
    locked: Running, secrets_dir: Path, monkeypatch: pytest.MonkeyPatch, dry_run: str
) -> None:
    (secrets_dir / "token").write_text("inside\n")
    monkeypatch.setenv("KAIROS_SECRET_TOKEN", "inside")
    for ref in ["{file: token}", f"{{file: {secrets_dir / 'token'}}}", "${KAIROS_SECRET_TOKEN}"]:
        error = await _refused(locked, _credential(ref), dry_run)
        assert error == {"code": "secret_unavailable", "message": f"body:7: credentials[0].secret: {LOCKED}{REMOVE}",
                         "field": "credentials[0].secret"}  # fmt: skip
    assert await _stored_secret(locked) is None


@pytest.mark.parametrize("dry_run", ["true", "false"])
async def test_files_outside_the_secrets_dir_are_refused_with_one_message_whether_or_not_they_exist(
    kairos: Running, secrets_dir: Path, outside: Path, tmp_path: Path, dry_run: str
) -> None:
    (secrets_dir / "escape").symlink_to(outside)
    refs = [
        str(outside),  # absolute, exists
        str(tmp_path / "no-such-file"),  # absolute, missing
        "../outside-secret.txt",  # relative .. escape
        str(secrets_dir / ".." / "outside-secret.txt"),
        "escape",  # a symlink inside pointing out
        "missing-inside",  # inside, missing
        "/etc/passwd",
        str(secrets_dir),  # the directory itself
    ]
    messages = {(await _refused(kairos, _credential(f"{{file: '{ref}'}}"), dry_run))["message"] for ref in refs}
    assert messages == {f"body:7: credentials[0].secret: {OPEN}{REMOVE}"}
    assert await _stored_secret(kairos) is None


async def test_a_file_inside_the_secrets_dir_is_read_when_the_operator_allows_it(
    kairos: Running, secrets_dir: Path
) -> None:
    (secrets_dir / "registry").write_text("pa55\n")
    response = await kairos.client.post(
        "/api/config/import", content=_credential("{file: registry}").encode(), params={"dryRun": "false"}
    )
    assert response.status_code == 200, response.text
    assert await _stored_secret(kairos) == "pa55"


@pytest.mark.parametrize("dry_run", ["true", "false"])
async def test_variables_without_the_prefix_or_naming_settings_are_refused_like_unset_ones(
    kairos: Running, monkeypatch: pytest.MonkeyPatch, dry_run: str
) -> None:
    monkeypatch.setenv("HOME", "/root")
    monkeypatch.setenv("KAIROS_DATABASE_URL", "postgresql+psycopg://kairos:db-pa55@127.0.0.1/kairos")
    monkeypatch.setenv("KAIROS_SECRET_KEY", "the-session-key")
    monkeypatch.delenv("KAIROS_SECRET_UNSET", raising=False)
    names = ["HOME", "KAIROS_DATABASE_URL", "KAIROS_SECRET_KEY", "KAIROS_SECRET_UNSET"]
    messages = {(await _refused(kairos, _credential("${" + n + "}"), dry_run))["message"] for n in names}
    assert messages == {f"body:7: credentials[0].secret: {OPEN}{REMOVE}"}
    assert await _stored_secret(kairos) is None


async def test_the_console_refuses_references_with_the_same_message(locked: Running, outside: Path) -> None:
    async with admin_browser(locked) as browser:
        page = await browser.get("/admin/config")
        form = {"csrf_token": csrf_of(page.text), "document": _credential(f"{{file: {outside}}}"), "action": "apply"}
        response = await browser.post("/admin/config", data=form)
    assert response.status_code == 422 and 'id="config-error"' in response.text
    assert f"document:7: credentials[0].secret: {LOCKED}{REMOVE}" in response.text
    assert "server-only" not in response.text
    assert await _stored_secret(locked) is None


HEADERS = """apiVersion: kairos/v1
kind: KairosConfig
credentials:
  - name: registry
    pattern: 127.0.0.1:*
    username: robot
    secret: ${KAIROS_SECRET_SEED}
resources:
  - name: api
    type: HTTP
    target: http://127.0.0.1:9/health
    options:
      headers:
        Authorization: Bearer h3ader-t0ken
"""


async def _export(kairos: Running) -> str:
    response = await kairos.client.get("/api/config/export")
    assert response.status_code == 200
    return response.text


async def _stored_headers(kairos: Running) -> dict[str, Any]:
    async with kairos.runtime.sessionmaker() as session:
        row = (await session.execute(select(Resource))).scalar_one()
    return dict(row.config["headers"])


async def test_header_values_are_exported_as_references_and_an_export_goes_back_in_keeping_its_secrets(
    kairos: Running, elsewhere: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_SECRET_SEED", "seed-pa55")
    imported = await kairos.client.post("/api/config/import", content=HEADERS.encode(), params={"dryRun": "false"})
    assert imported.status_code == 200, imported.text
    exported = await _export(kairos)
    assert "h3ader-t0ken" not in exported and "seed-pa55" not in exported
    assert "Authorization: ${KAIROS_SECRET_HEADER_API_AUTHORIZATION}" in exported
    # Without the variables, the export's own placeholders keep what is stored: a no-op.
    monkeypatch.delenv("KAIROS_SECRET_SEED")
    again = await kairos.client.post("/api/config/import", content=exported.encode(), params={"dryRun": "false"})
    assert again.status_code == 200 and again.json()["changes"] == [], again.text
    assert await _stored_headers(kairos) == {"Authorization": "Bearer h3ader-t0ken"}
    # With the variable set, the reference is resolved and replaces the stored value.
    monkeypatch.setenv("KAIROS_SECRET_HEADER_API_AUTHORIZATION", "Bearer n3w")
    changed = await kairos.client.post("/api/config/import", content=exported.encode(), params={"dryRun": "false"})
    assert changed.json()["changes"] == [
        {"section": "resources", "name": "api", "action": "update", "fields": ["options"]}
    ], changed.text
    assert await _stored_headers(kairos) == {"Authorization": "Bearer n3w"}
    # Into another server the placeholders have nothing to keep: a clear refusal at the line.
    refused = await elsewhere.client.post("/api/config/import", content=exported.encode())
    assert refused.status_code == 422
    assert refused.json()["error"]["message"].endswith(f"credentials[0].secret: {LOCKED}{REMOVE}")


def _cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "KAIROS_DATA_DIR": str(tmp_path), **env}
    full.pop("KAIROS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", *args], env=full, capture_output=True, text=True, timeout=60
    )


def test_the_cli_reads_references_within_the_dir_and_prefix_and_says_why_otherwise(
    tmp_path: Path, secrets_dir: Path, outside: Path
) -> None:
    (secrets_dir / "registry").write_text("pa55\n")
    env = {"KAIROS_SECRETS_DIR": str(secrets_dir), "KAIROS_SECRET_ENV_PREFIX": "MY_SECRET_", "MY_SECRET_A": "a"}
    doc = tmp_path / "kairos.yaml"
    doc.write_text(_credential("{file: registry}"))
    assert _cli(["import", str(doc), "--yes"], tmp_path, **env).returncode == 0
    doc.write_text(_credential("${MY_SECRET_A}"))
    ok = _cli(["import", str(doc), "--yes"], tmp_path, **env)
    assert ok.returncode == 0 and "~ credentials 'leak' (secret)" in ok.stdout, ok.stderr
    doc.write_text(_credential(f"{{file: {outside}}}"))
    out = _cli(["import", str(doc), "--yes"], tmp_path, **env)
    assert out.returncode == 1
    assert out.stderr.strip() == (
        f"kairos: kairos.yaml:7: credentials[0].secret: the secret file {outside} is not inside KAIROS_SECRETS_DIR "
        f"{os.path.realpath(secrets_dir)}: put the credential's secret in a file below KAIROS_SECRETS_DIR and name "
        "that file, write ${MY_SECRET_CREDENTIAL_LEAK} to keep the stored one, or remove the credential from the file"
    )
    doc.write_text(_credential("${HOME}"))
    out = _cli(["import", str(doc), "--yes"], tmp_path, **env)
    assert out.returncode == 1 and "HOME does not start with KAIROS_SECRET_ENV_PREFIX MY_SECRET_" in out.stderr
    doc.write_text(_credential("{file: registry}"))
    out = _cli(["import", str(doc), "--yes"], tmp_path, KAIROS_SECRET_ENV_PREFIX="MY_SECRET_")
    assert out.returncode == 1 and "file references need KAIROS_SECRETS_DIR" in out.stderr
    assert "Traceback" not in out.stderr
