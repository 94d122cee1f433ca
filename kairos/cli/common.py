"""What every command shares: settings from the environment and a uniform way to stop with an error."""

from __future__ import annotations

from typing import NoReturn

import typer

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
