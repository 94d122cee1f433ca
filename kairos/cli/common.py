"""What every command shares: settings from the environment and a uniform way to stop with an error."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.settings import Settings, SettingsError, load_settings

EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"kairos: {message}", err=True)
    raise typer.Exit(code)


def settings_or_exit(**overrides: object) -> Settings:
    """The settings from ``KAIROS_*``; a bad value ends the command with its name and reason (exit 2)."""
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        fail(str(exc))


def first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


T = TypeVar("T")


def run_in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
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
