"""``kairos``: serve, migrate, instant checks and API keys."""

from __future__ import annotations

from typing import Annotated

import typer

from kairos import __version__
from kairos.cli.apikey import app as apikey_app
from kairos.cli.check import app as check_app
from kairos.cli.common import fail, first_line, settings_or_exit
from kairos.cli.config import check_config_file_or_exit, export_command, import_command
from kairos.cli.discovery import app as discovery_app
from kairos.cli.user import app as user_app

app = typer.Typer(
    name="kairos",
    help="Kairos: a self-hosted uptime monitor for HTTP services, TCP endpoints and container images.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(check_app, name="check")
app.add_typer(apikey_app, name="apikey")
app.add_typer(discovery_app, name="discovery")
app.add_typer(user_app, name="user")
app.command("export")(export_command)
app.command("import")(import_command)


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


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [KAIROS_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [KAIROS_PORT].")] = None,
) -> None:
    """Run Kairos: web pages, REST API and scheduler in one process (migrations run by themselves)."""
    import math

    import uvicorn

    from kairos.app import create_app
    from kairos.web.slow_clients import header_timeout_protocol

    overrides = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = settings_or_exit(**overrides)
    try:
        settings.resolved_secret()
    except OSError as exc:
        fail(f"KAIROS_DATA_DIR: cannot keep the secret key there: {exc.strerror}")
    _migrate_or_exit(settings.effective_database_url)
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
def migrate() -> None:
    """Bring the database schema to the newest version."""
    _migrate_or_exit(settings_or_exit().effective_database_url)
    typer.echo("database schema is up to date")


def _migrate_or_exit(url: str) -> None:
    """Migrate before serving, so an unreachable database is one clear line, not a start-up traceback."""
    from kairos.db.migrate import upgrade_to_head

    try:
        upgrade_to_head(url)
    except Exception as exc:  # the driver's own error tells the user what is wrong (host, password, ...)
        fail(f"cannot prepare the database: {first_line(exc)}", code=1)


if __name__ == "__main__":
    app()
