"""docker-compose.fleet.yml: PostgreSQL, a migration run once, two web nodes behind Caddy and workers in two
locations. No Docker daemon here: the file's structure is checked, and its commands parsed by the real CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from kairos.cli.main import app
from kairos.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
KAIROS = {"migrate", "web-1", "web-2", "worker-eu", "worker-us"}
WEB = ("web-1", "web-2")
WORKERS = {"worker-eu": "eu", "worker-us": "us"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.fleet.yml").read_text())
    return data


def parse(command: list[str]) -> Any:
    """The CLI's own parser (typer's click context): an unknown command or option fails here as it would in the
    container."""
    assert command[0] == "kairos"
    group: Any = typer.main.get_command(app)
    return group.commands[command[1]].make_context(command[1], command[2:])


def test_the_fleet_is_postgres_a_migration_two_web_nodes_a_proxy_and_workers_in_two_locations(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) == KAIROS | {"postgres", "proxy"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["proxy"]["image"] == "caddy:2"
    assert services["worker-eu"]["deploy"]["replicas"] == 2
    assert services["worker-us"]["deploy"]["replicas"] == 1


def test_every_command_is_one_the_cli_accepts_in_the_role_its_service_has(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["kairos", "migrate"]
    parse(services["migrate"]["command"])
    for name in WEB:
        ctx = parse(services[name]["command"])
        assert ctx.info_name == "serve" and ctx.params["role"] == "web"
    for name, location in WORKERS.items():
        ctx = parse(services[name]["command"])
        assert ctx.info_name == "worker" and ctx.params["location"] == location
        assert Settings(location=location).location == location  # a name Kairos accepts
    with pytest.raises(Exception, match="No such option") as refused:
        parse(["kairos", "worker", "--locaton", "eu"])  # the parser does refuse what it does not know
    assert type(refused.value).__name__ == "NoSuchOption"


def test_every_kairos_process_shares_the_database_and_the_secret_key_through_secret_files(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    services = compose["services"]
    assert set(compose["secrets"]) == {"db_password", "secret_key"}
    (tmp_path / "db_password").write_text("s3cret\n")
    (tmp_path / "secret_key").write_text("k" * 64 + "\n")
    environments = [services[name]["environment"] for name in sorted(KAIROS)]
    assert all(env == environments[0] for env in environments)
    env = environments[0]
    assert env["KAIROS_DATABASE_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert env["KAIROS_SECRET_KEY_FILE"] == "/run/secrets/secret_key"
    assert not any(("PASSWORD" in k or "SECRET_KEY" in k) and not k.endswith("_FILE") for k in env)
    for name in KAIROS:
        assert set(services[name]["secrets"]) == {"db_password", "secret_key"}
    postgres_env = services["postgres"]["environment"]
    assert env["KAIROS_DATABASE_URL"] == (
        f"postgresql://{postgres_env['POSTGRES_USER']}@postgres:5432/{postgres_env['POSTGRES_DB']}"
    )
    # The variables make the settings every role needs: PostgreSQL (a fleet refuses SQLite) and the shared key.
    settings = Settings(
        database_url=env["KAIROS_DATABASE_URL"],
        database_password_file=tmp_path / "db_password",
        secret_key_file=tmp_path / "secret_key",
        forwarded_allow_ips=env["KAIROS_FORWARDED_ALLOW_IPS"],
    )
    assert not settings.is_sqlite
    assert settings.effective_database_url == "postgresql+psycopg://kairos:s3cret@postgres:5432/kairos"
    assert settings.resolved_secret() == "k" * 64


def test_the_migration_runs_once_after_postgres_and_before_every_other_kairos_process(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    for name in KAIROS - {"migrate"}:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["proxy"]["depends_on"] == {name: {"condition": "service_healthy"} for name in WEB}


def test_health_checks_ask_each_role_on_its_own_port_and_only_the_proxy_is_published(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    for name in WEB:
        assert "http://127.0.0.1:8080/actuator/health" in " ".join(services[name]["healthcheck"]["test"])
    worker_port = Settings.model_fields["worker_port"].default
    for name in WORKERS:
        test = " ".join(services[name]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{worker_port}/actuator/health" in test
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["proxy"]["ports"] == ["8080:8080"]


def test_caddy_spreads_requests_over_both_web_nodes_and_streams_unbuffered(compose: dict[str, Any]) -> None:
    (mount,) = compose["services"]["proxy"]["volumes"]
    source, target, mode = mount.split(":")
    assert (target, mode) == ("/etc/caddy/Caddyfile", "ro")
    caddyfile = (ROOT / source).read_text()
    site = re.search(r"^:(\d+) \{", caddyfile, re.M)
    assert site and site.group(1) == compose["services"]["proxy"]["ports"][0].split(":")[1]
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile)
    assert upstreams and upstreams.group(1).split() == [f"{name}:8080" for name in WEB]
    assert re.search(r"^\s*flush_interval -1$", caddyfile, re.M)  # Server-Sent Events pass at once
    assert re.search(r"^\s*lb_try_duration \d+s$", caddyfile, re.M)  # a stopped node's requests go to the other
