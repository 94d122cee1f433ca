"""``kairos apikey create|list|revoke``: API keys, straight on the database (migrated first)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kairos.auth.scopes import ALL, PRESETS, Scope, UnknownScope, decode, parse
from kairos.cli.common import fail, run_in_session

if TYPE_CHECKING:  # the database layer is imported by the commands, so that `kairos --help` stays fast
    from sqlalchemy.ext.asyncio import AsyncSession

    from kairos.db.models import ApiKey

app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)

_SCOPE_HELP = f"A scope the key holds (repeatable): {', '.join(ALL)}. Presets READ and ADMIN work too."


def _scopes(role: str | None, scope: list[str]) -> frozenset[Scope]:
    if role is not None and scope:
        fail("give --role or --scope, not both")
    if role is not None:
        if role.upper() not in PRESETS:
            fail("--role must be ADMIN or READ")
        return PRESETS[role.upper()]
    try:
        return parse(scope) if scope else PRESETS["ADMIN"]
    except UnknownScope as exc:
        fail(f"--scope: {exc}")


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="What the key is for, e.g. 'grafana'.")],
    scope: Annotated[list[str] | None, typer.Option("--scope", help=_SCOPE_HELP)] = None,
    role: Annotated[str | None, typer.Option(help="A preset instead of scopes: ADMIN or READ (STATUS_READ).")] = None,
) -> None:
    """Create a key and print it. It is shown only this once. With neither --scope nor --role it is ADMIN."""
    from kairos.services import api_keys

    scopes = _scopes(role, scope or [])
    name = name.strip()
    if not name or len(name) > 200:
        fail("NAME must be 1 to 200 characters")

    async def work(session: AsyncSession) -> str:
        return (await api_keys.create(session, name, scopes=scopes)).plaintext

    key = run_in_session(work)
    typer.echo(key)
    typer.echo("Store this key now: it is not shown again.", err=True)


@app.command("list")
def list_keys() -> None:
    """List keys (their prefix, never the key)."""
    from kairos.services import api_keys

    async def work(session: AsyncSession) -> list[ApiKey]:
        return [row for row, _ in await api_keys.list_keys(session)]

    rows = run_in_session(work)
    typer.echo(f"{'ID':>4}  {'PREFIX':<12}  {'STATE':<7}  {'LAST USED':<20}  {'SCOPES':<30}  NAME")
    for r in rows:
        state = "revoked" if r.revoked_at else "active"
        used = r.last_used_at.strftime("%Y-%m-%d %H:%M:%SZ") if r.last_used_at else "never"
        scopes = ",".join(s for s in ALL if s in decode(r.scopes))
        typer.echo(f"{r.id:>4}  {r.prefix:<12}  {state:<7}  {used:<20}  {scopes:<30}  {r.name}")


@app.command("revoke")
def revoke_key(
    key_id: Annotated[int, typer.Argument(help="The key's ID (see `kairos apikey list`).")],
) -> None:
    """Revoke a key; it stops working on its next request."""
    from kairos.errors import NotFound
    from kairos.services import api_keys

    async def work(session: AsyncSession) -> bool:
        try:
            await api_keys.revoke(session, key_id)
        except NotFound:
            return False
        return True

    if not run_in_session(work):
        fail(f"no API key with id {key_id}", code=1)
    typer.echo(f"API key {key_id} revoked")
