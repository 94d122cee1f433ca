"""docker-compose.yml: Kairos on PostgreSQL 16, the password only as a compose secret, start order by health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kairos.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_kairos_reads_the_database_password_from_the_compose_secret(compose: dict[str, Any]) -> None:
    kairos = compose["services"]["kairos"]
    env = kairos["environment"]
    assert env["KAIROS_DATABASE_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert "db_password" in kairos["secrets"]
    assert set(compose["secrets"]) == {"db_password"}
    assert not any("PASSWORD" in k and not k.endswith("_FILE") for k in env)
    # The URL points at the postgres service with the user PostgreSQL creates, and carries no password.
    url = env["KAIROS_DATABASE_URL"]
    postgres_env = compose["services"]["postgres"]["environment"]
    assert url == f"postgresql://{postgres_env['POSTGRES_USER']}@postgres:5432/{postgres_env['POSTGRES_DB']}"


def test_the_url_and_the_secret_file_make_the_connection_kairos_uses(compose: dict[str, Any], tmp_path: Path) -> None:
    secret = tmp_path / "db_password"
    secret.write_text("s3cret/with:odd@chars\n")
    env = compose["services"]["kairos"]["environment"]
    settings = Settings(database_url=env["KAIROS_DATABASE_URL"], database_password_file=secret)
    assert settings.effective_database_url.startswith("postgresql+psycopg://kairos:")
    assert settings.effective_database_url.endswith("@postgres:5432/kairos")


def test_postgres_shares_the_secret_and_keeps_its_data_in_a_named_volume(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"] == "postgres:16"
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert "db_password" in postgres["secrets"]
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert {"postgres-data", "kairos-data"} <= set(compose["volumes"])


def test_kairos_starts_once_postgres_is_healthy_and_has_a_health_check_of_its_own(compose: dict[str, Any]) -> None:
    kairos = compose["services"]["kairos"]
    assert kairos["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "pg_isready" in " ".join(compose["services"]["postgres"]["healthcheck"]["test"])
    assert "/actuator/health" in " ".join(kairos["healthcheck"]["test"])
    assert "kairos-data:/app/data" in kairos["volumes"]
    assert kairos["ports"] == ["8080:8080"]
