"""``kairos export`` / ``kairos import``: configuration as code, straight on the database.

A server already running picks up imported changes at its next start; while it runs, prefer
``POST /api/config/import``, which tells the scheduler at once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kairos.cli.common import fail, run_in_session, secret_or_exit, settings_or_exit

if TYPE_CHECKING:  # imported by the commands that use them, so that `kairos --help` stays fast
    from sqlalchemy.ext.asyncio import AsyncSession

    from kairos.config_as_code.changes import Plan
    from kairos.settings import Settings

EXIT_INVALID = 1


def export_command() -> None:
    """Print the configuration as a kairos/v1 YAML document (secrets as ${KAIROS_SECRET_...} references only)."""
    from kairos.config_as_code.export import export_config, to_yaml
    from kairos.config_as_code.secrets import SecretPolicy

    policy = SecretPolicy.operator(settings_or_exit())

    async def work(session: AsyncSession) -> dict[str, object]:
        return await export_config(session, policy)

    typer.echo(to_yaml(run_in_session(work)), nl=False)


def import_command(
    file: Annotated[Path, typer.Argument(help="A kairos/v1 document or a Java Kairos export; - for stdin.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print what would change.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Also delete objects the document does not name.")] = False,
) -> None:
    """Print the diff, ask, then apply it in one transaction (nothing changes if any item is invalid)."""
    from kairos.config_as_code.errors import ConfigError
    from kairos.config_as_code.secrets import SecretPolicy
    from kairos.config_as_code.service import import_text
    from kairos.crypto import SecretBox

    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    settings = settings_or_exit()
    box = SecretBox(secret_or_exit(settings))
    policy = SecretPolicy.operator(settings)
    source = "<stdin>" if str(file) == "-" else file.name

    def run(apply: bool) -> Plan:
        async def work(session: AsyncSession) -> Plan:
            return await import_text(session, text, box, source=source, dry_run=not apply, prune=prune, secrets=policy)

        try:
            return run_in_session(work)
        except ConfigError as exc:
            fail(str(exc), code=EXIT_INVALID)

    plan = run(apply=False)
    print_plan(plan)
    if dry_run or not plan.changes:
        typer.echo("dry run: nothing was changed" if dry_run else "nothing to change")
        return
    if not yes and not typer.confirm("Apply these changes?", default=False):
        typer.echo("nothing was changed")
        raise typer.Exit(1)
    run(apply=True)
    typer.echo("applied")


def print_plan(plan: Plan) -> None:
    marks = {"create": "+", "update": "~", "delete": "-"}
    for change in plan.changes:
        fields = f" ({', '.join(change.fields)})" if change.fields else ""
        typer.echo(f"{marks[change.action]} {change.section} {change.name!r}{fields}")
    for kept in plan.kept:
        typer.echo(f"= {kept.section} {kept.name!r} {kept.field}: unchanged (stored secret kept)")
    c = plan.counts()
    typer.echo(f"{c['create']} to create, {c['update']} to change, {c['delete']} to delete")


def check_config_file_or_exit(settings: Settings) -> None:
    """``kairos serve`` with ``KAIROS_CONFIG_FILE``: a dry run first, so a bad file stops start-up with one
    line naming its line and field (the lifespan then applies it)."""
    import asyncio

    from kairos.config_as_code.errors import ConfigError
    from kairos.config_as_code.secrets import SecretPolicy
    from kairos.config_as_code.service import import_text
    from kairos.crypto import SecretBox
    from kairos.db.engine import make_engine, make_sessionmaker

    path = settings.config_file
    if path is None:
        return
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"KAIROS_CONFIG_FILE cannot be read: {path}: {exc.strerror}")
    box = SecretBox(secret_or_exit(settings))

    async def go() -> None:
        engine = make_engine(settings.effective_database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                policy = SecretPolicy.operator(settings)
                await import_text(session, text, box, source=str(path), dry_run=True, secrets=policy)
        finally:
            await engine.dispose()

    try:
        asyncio.run(go())
    except ConfigError as exc:
        fail(f"KAIROS_CONFIG_FILE: {exc}")
