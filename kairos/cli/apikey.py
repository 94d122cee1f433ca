"""``kairos apikey create|list|revoke``: API keys, straight on the database (migrated first)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.auth.apikeys import create_key, revoke
from kairos.cli.common import fail, first_line, settings_or_exit
from kairos.db.models import ApiKey

app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)

T = TypeVar("T")
ROLES = ("ADMIN", "READ")


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Migrate the configured database, then run ``work`` in one session."""
    from kairos.db.engine import make_engine, make_sessionmaker
    from kairos.db.migrate import upgrade_to_head

    settings = settings_or_exit()
    url = settings.effective_database_url
    try:
        upgrade_to_head(url)
    except Exception as exc:
        fail(f"cannot open the database: {first_line(exc)}", code=1)

    async def go() -> T:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(go())


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="What the key is for, e.g. 'grafana'.")],
    role: Annotated[str, typer.Option(help="ADMIN (may write) or READ.")] = "ADMIN",
) -> None:
    """Create a key and print it. It is shown only this once."""
    role = role.upper()
    if role not in ROLES:
        fail("--role must be ADMIN or READ")
    name = name.strip()
    if not name or len(name) > 200:
        fail("NAME must be 1 to 200 characters")

    async def work(session: AsyncSession) -> str:
        new = await create_key(session, name, role=role)
        await session.commit()
        return new.plaintext

    key = _run(work)
    typer.echo(key)
    typer.echo("Store this key now: it is not shown again.", err=True)


@app.command("list")
def list_keys() -> None:
    """List keys (their prefix, never the key)."""

    async def work(session: AsyncSession) -> list[ApiKey]:
        return list((await session.execute(select(ApiKey).order_by(ApiKey.id))).scalars())

    rows = _run(work)
    typer.echo(f"{'ID':>4}  {'PREFIX':<12}  {'ROLE':<5}  {'STATE':<7}  {'LAST USED':<20}  NAME")
    for r in rows:
        state = "revoked" if r.revoked_at else "active"
        used = r.last_used_at.strftime("%Y-%m-%d %H:%M:%SZ") if r.last_used_at else "never"
        typer.echo(f"{r.id:>4}  {r.prefix:<12}  {r.role:<5}  {state:<7}  {used:<20}  {r.name}")


@app.command("revoke")
def revoke_key(
    key_id: Annotated[int, typer.Argument(help="The key's ID (see `kairos apikey list`).")],
) -> None:
    """Revoke a key; it stops working on its next request."""

    async def work(session: AsyncSession) -> bool:
        return 1 <= key_id <= 2**31 - 1 and await revoke(session, key_id)

    if not _run(work):
        fail(f"no API key with id {key_id}", code=1)
    typer.echo(f"API key {key_id} revoked")
