"""``kairos discovery list|run``: discovery sources (registry and Kubernetes) from the terminal, straight on
the database.

``run`` applies the changes to the database; a Kairos server already running picks up resources created
this way at its next start. While it runs, prefer ``POST /api/discovery-sources/{id}/sync``: new images are
then checked at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kairos.cli.common import database_or_exit, fail, settings_or_exit

if TYPE_CHECKING:  # imported by the commands that use them, so that `kairos --help` stays fast
    from kairos.api.schemas.discovery import DiscoverySourcePublic
    from kairos.discovery.sync import SyncReport
    from kairos.runtime import Runtime

app = typer.Typer(help="List discovery sources and sync them.", no_args_is_help=True)


def _runtime_or_exit() -> Runtime:
    from kairos.app import build_runtime

    settings = settings_or_exit()
    database_or_exit(settings)
    return build_runtime(settings)


@app.command("list")
def list_sources() -> None:
    """List sources with their last sync."""
    import asyncio

    from kairos.services import discovery_sources

    runtime = _runtime_or_exit()

    async def work() -> list[DiscoverySourcePublic]:
        try:
            async with runtime.sessionmaker() as session:
                return await discovery_sources.list_sources(session)
        finally:
            await runtime.engine.dispose()

    rows = asyncio.run(work())
    typer.echo(f"{'ID':>4}  {'STATE':<8}  {'LAST SYNC':<20}  {'STATUS':<6}  {'KIND':<10}  LISTS")
    for r in rows:
        when = r.last_sync_at.strftime("%Y-%m-%d %H:%M:%SZ") if r.last_sync_at else "never"
        state = "active" if r.active else "inactive"
        status = r.last_sync_status or "-"
        typer.echo(f"{r.id:>4}  {state:<8}  {when:<20}  {status:<6}  {r.kind:<10}  {_lists(r)}  [{r.name}]")


def _lists(r: DiscoverySourcePublic) -> str:
    if r.kind == "KUBERNETES":
        where = r.api_url or "in-cluster"
        spaces = ",".join(r.namespaces) or "all namespaces"
        return f"{where} ({spaces}{', annotated only' if r.annotation_only else ''})"
    extras = [w for w, on in (("recursive", r.recursive), ("latest only", r.latest_only)) if on]
    return f"{r.prefix}" + (f" ({', '.join(extras)})" if extras else "")


@app.command("run")
def run(
    source_id: Annotated[int, typer.Argument(help="The source's ID (see `kairos discovery list`).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print what would change.")] = False,
) -> None:
    """Sync one source: print what is (or with --dry-run would be) created, reactivated and deactivated."""
    import asyncio

    from kairos.discovery.sync import sync_source

    runtime = _runtime_or_exit()

    async def work() -> SyncReport:
        try:
            return await sync_source(runtime, source_id, dry_run=dry_run)
        finally:
            await runtime.engine.dispose()

    if not 1 <= source_id <= 2**31 - 1:
        fail(f"no discovery source with id {source_id}", code=1)
    try:
        report = asyncio.run(work())
    except LookupError:
        fail(f"no discovery source with id {source_id}", code=1)
    _print(report)
    if report.error:
        raise typer.Exit(1)


def _print(report: SyncReport) -> None:
    verb = "would be " if report.dry_run else ""
    if report.error:
        typer.echo(f"error: {report.error}", err=True)
        return
    for title, items in (("created", report.created), ("reactivated", report.reactivated),
                         ("deactivated", report.deactivated)):  # fmt: skip
        typer.echo(f"{verb}{title}: {len(items)}")
        for item in items:
            typer.echo(f"  {item}")
    typer.echo(f"unchanged: {report.unchanged}")
    if report.dry_run:
        typer.echo("dry run: nothing was changed")
