from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kairos.settings import SettingsError, load_settings


def test_a_bad_value_names_the_variable_and_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIROS_PORT", "70000")
    with pytest.raises(SettingsError, match=r"KAIROS_PORT: .*less than or equal to 65535"):
        load_settings()


def test_an_unsupported_database_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIROS_DATABASE_URL", "mysql://x")
    with pytest.raises(SettingsError, match="KAIROS_DATABASE_URL"):
        load_settings()


def test_without_a_secret_one_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_settings(data_dir=tmp_path).resolved_secret()
    second = load_settings(data_dir=tmp_path).resolved_secret()
    assert first == second and len(first) >= 40
    assert stat.S_IMODE(os.stat(tmp_path / "secret.key").st_mode) == 0o600


def test_the_secret_can_come_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "s").write_text("from-a-file\n")
    assert load_settings(secret_key_file=tmp_path / "s", data_dir=tmp_path).resolved_secret() == "from-a-file"


def test_the_default_database_is_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    url = load_settings(data_dir=tmp_path).effective_database_url
    assert url == f"sqlite+aiosqlite:///{(tmp_path / 'kairos.db').resolve()}"


def test_postgres_urls_without_a_driver_get_psycopg() -> None:
    assert load_settings(database_url="postgresql://u@h/db").effective_database_url == "postgresql+psycopg://u@h/db"


def test_serve_stops_with_the_variable_name_instead_of_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "KAIROS_PORT": "not-a-port", "KAIROS_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert "KAIROS_PORT" in out.stderr and "Traceback" not in out.stderr


def test_an_unreadable_database_password_file_stops_start_up_with_its_name(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "KAIROS_DATA_DIR": str(tmp_path),
        "KAIROS_DATABASE_URL": "postgresql://kairos@127.0.0.1:1/kairos",
        "KAIROS_DATABASE_PASSWORD_FILE": str(tmp_path / "missing"),
    }
    out = subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2, out.stderr
    assert "KAIROS_DATABASE_PASSWORD_FILE cannot be read" in out.stderr and "Traceback" not in out.stderr


def test_the_database_password_file_goes_into_the_url_and_never_into_repr(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("p@ss/word\n")
    settings = load_settings(database_url="postgresql://kairos@db:5432/kairos", database_password_file=tmp_path / "pw")
    assert settings.effective_database_url == "postgresql+psycopg://kairos:p%40ss%2Fword@db:5432/kairos"
    assert "p@ss" not in repr(settings) and "p%40ss" not in repr(settings)


def test_oidc_without_an_issuer_is_refused_naming_the_variables() -> None:
    with pytest.raises(SettingsError, match="KAIROS_OIDC_ENABLED needs KAIROS_OIDC_ISSUER_URI"):
        load_settings(oidc_enabled=True)
