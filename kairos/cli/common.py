"""What every command shares: settings from the environment, the database opened (or one line naming it and
the setting to change), and a uniform way to stop with an error.

Light at import (typer only): every command imports this module, ``kairos --help`` included; the settings,
SQLAlchemy and the migrations are imported when a command asks for them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from kairos.settings import Settings

EXIT_USAGE = 2
EXIT_DATABASE = 1


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"kairos: {message}", err=True)
    raise typer.Exit(code)


def settings_or_exit(**overrides: object) -> Settings:
    """The settings from ``KAIROS_*``; a bad value ends the command with its name and reason (exit 2)."""
    from kairos.settings import SettingsError, load_settings

    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        fail(str(exc))


def first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def database_or_exit(settings: Settings) -> str:
    """The database URL, migrated to the newest schema; or one line naming the database (password hidden) and
    the setting that chooses it, exit 1. Run from another directory, the default ``./data`` is not where the
    user thinks: the line says which file was tried and which variable moves it."""
    from kairos.db.migrate import upgrade_to_head

    url = settings.effective_database_url
    try:
        upgrade_to_head(url)
    except Exception as exc:  # the driver's own error says what is wrong (no such directory, refused, password)
        fail(database_problem(settings, exc), code=EXIT_DATABASE)
    return url


def database_name(settings: Settings) -> str:
    """The database as the user should read it: the SQLite file, or the URL with its password hidden."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.effective_database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        return f"{url.database} (SQLite)"
    return url.render_as_string(hide_password=True)


def database_problem(settings: Settings, exc: BaseException) -> str:
    from sqlalchemy.engine import make_url

    password = make_url(settings.effective_database_url).password
    reason = first_line(exc)
    if password:  # a driver may quote its connection string: the password never reaches the terminal
        reason = reason.replace(str(password), "***")
    if settings.database_url:
        fix = "check KAIROS_DATABASE_URL (and KAIROS_DATABASE_PASSWORD_FILE)"
    else:
        fix = (
            f"it lives in KAIROS_DATA_DIR (now {settings.data_dir.resolve()}): set KAIROS_DATA_DIR to a writable "
            "directory, or KAIROS_DATABASE_URL to another database"
        )
    return f"cannot prepare the database {database_name(settings)}: {reason}; {fix}"


def secret_or_exit(settings: Settings) -> str:
    """The secret key, generated into KAIROS_DATA_DIR on first use; a directory that cannot keep it is one line."""
    try:
        return settings.resolved_secret()
    except OSError as exc:
        fail(
            f"KAIROS_DATA_DIR: cannot keep the secret key in {settings.data_dir.resolve()}: {exc.strerror}; "
            "set KAIROS_DATA_DIR to a writable directory, or KAIROS_SECRET_KEY"
        )


T = TypeVar("T")


def run_in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Migrate the configured database, then run ``work`` in one session."""
    import asyncio

    from kairos.db.engine import make_engine, make_sessionmaker

    url = database_or_exit(settings_or_exit())

    async def go() -> T:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(go())
