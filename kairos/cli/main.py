"""``kairos``: serve, migrate, instant checks and API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kairos import __version__
from kairos.cli.apikey import app as apikey_app
from kairos.cli.check import app as check_app
from kairos.cli.common import database_name, database_or_exit, fail, secret_or_exit, settings_or_exit
from kairos.cli.config import check_config_file_or_exit, export_command, import_command
from kairos.cli.discovery import app as discovery_app
from kairos.cli.mcp import mcp_command
from kairos.cli.user import app as user_app

if TYPE_CHECKING:
    from kairos.settings import Settings

# Start-up time matters (every command builds the whole command tree): the modules imported here import only
# typer and light kairos modules at their top; SQLAlchemy, the settings, the probes, the app and MCP are imported
# inside the commands that use them (tests/cli/test_cli_imports.py keeps it so, bench/cli_start.py measures).
app = typer.Typer(
    name="kairos",
    help="Kairos: a self-hosted uptime monitor for HTTP services, TCP endpoints and container images.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help, as click writes it: Typer's Rich panels print a "<bool>" type on flags (which take no value),
    # read help texts as Rich markup ("os/arch[/variant]" ended in a MarkupError) and cost Rich's import.
    rich_markup_mode=None,
)
app.add_typer(check_app, name="check")
app.add_typer(apikey_app, name="apikey")
app.add_typer(discovery_app, name="discovery")
app.add_typer(user_app, name="user")
app.command("export")(export_command)
app.command("import")(import_command)
app.command("mcp")(mcp_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kairos {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Configuration comes from KAIROS_* environment variables (and a .env file)."""


FLEET_NEEDS_POSTGRES = (
    "a fleet (web nodes and workers) needs PostgreSQL: set KAIROS_DATABASE_URL to a postgresql:// URL"
)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [KAIROS_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [KAIROS_PORT].")] = None,
    role: Annotated[
        str | None,
        typer.Option(help="all (one process, the default), web (pages and API only) or worker [KAIROS_ROLE]."),
    ] = None,
) -> None:
    """Run Kairos: web pages, REST API and scheduler in one process (migrations run by themselves).

    With PostgreSQL, --role web serves pages and API only, and `kairos worker` checks (docs/fleet.md)."""
    import math

    import uvicorn

    from kairos.app import create_app
    from kairos.web.slow_clients import header_timeout_protocol

    overrides = {k: v for k, v in (("host", host), ("port", port), ("role", role)) if v is not None}
    settings = _prepared(**overrides)
    if settings.role == "worker":
        _run_worker(settings)
        return
    check_config_file_or_exit(settings)
    # loop="auto" picks uvloop when it is installed; uvicorn handles SIGTERM and SIGINT (graceful shutdown).
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        loop="auto",
        http=header_timeout_protocol(settings.request_header_timeout_s),  # slow clients must not hold sockets
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        # After this long, uvicorn cancels requests still running (instant checks run up to 60 s) and goes on
        # to the lifespan's shutdown: SIGTERM never outlives Kubernetes' grace period waiting for them.
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_s),  # uvicorn wants whole seconds
    )


@app.command()
def worker(
    location: Annotated[str | None, typer.Option(help="Where this worker checks from [KAIROS_LOCATION].")] = None,
) -> None:
    """Run a fleet worker (PostgreSQL only): claims and runs its location's checks and the background jobs, with
    /actuator/health and /metrics on KAIROS_WORKER_PORT (docs/fleet.md)."""
    overrides: dict[str, object] = {"role": "worker"}
    if location is not None:
        overrides["location"] = location
    _run_worker(_prepared(**overrides))


def _prepared(**overrides: object) -> Settings:
    """Settings checked for the role, the secret key in place and the database migrated; or one line and exit."""
    settings = settings_or_exit(**overrides)
    if settings.role != "all" and settings.is_sqlite:
        fail(f"KAIROS_ROLE={settings.role}: {FLEET_NEEDS_POSTGRES}")
    secret_or_exit(settings)
    database_or_exit(settings)
    _refuse_beside_workers(settings)
    return settings


def _refuse_beside_workers(settings: Settings) -> None:
    import asyncio

    from kairos.fleet.roles import MixedRoles, refuse_beside_workers

    try:
        asyncio.run(refuse_beside_workers(settings))
    except MixedRoles as exc:
        fail(str(exc), code=1)


def _run_worker(settings: Settings) -> None:
    import asyncio
    import logging

    from kairos.fleet.adopt import WorkerIdInUse
    from kairos.fleet.health import ListenerError
    from kairos.fleet.worker import run_worker

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = asyncio.run(run_worker(settings))
    except (WorkerIdInUse, ListenerError) as exc:
        fail(str(exc), code=1)
    raise typer.Exit(code)


@app.command()
def migrate() -> None:
    """Bring the database schema to the newest version."""
    settings = settings_or_exit()
    database_or_exit(settings)
    typer.echo(f"database schema is up to date: {database_name(settings)}")


if __name__ == "__main__":
    app()
