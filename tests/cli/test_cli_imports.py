"""What ``kairos`` imports to start: ``--help`` and ``--version`` none of the server's heavy libraries, and an
instant check no database layer, so both start fast (figures: bench/cli_start.py). Each case runs in a fresh
interpreter, the way a user starts the command; no timing is asserted, only which modules were loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The web app, the database layer, notifications, the MCP SDK, Rich panels: none of them is needed to print help.
# (pydantic may be: Typer itself converts option values with it.)
SERVER_ONLY = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "aiosqlite", "psycopg", "apprise", "mcp")
HELP_NEVER = (*SERVER_ONLY, "jinja2", "rich", "pydantic_settings", "cryptography", "dns", "yaml", "httpx")

PROBE = """
import json, sys
from kairos.cli.main import app
try:
    app(sys.argv[1:], prog_name="kairos")
except SystemExit:
    pass
print("MODULES " + json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_after(*args: str) -> tuple[set[str], str]:
    """Top-level packages loaded once ``kairos ARGS`` has run, and what it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    marker = [line for line in done.stdout.splitlines() if line.startswith("MODULES ")]
    assert marker, done.stdout + done.stderr
    return set(json.loads(marker[0].removeprefix("MODULES "))), done.stdout + done.stderr


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["check", "--help"], ["check", "image", "--help"]])
def test_help_and_version_import_no_heavy_library(args: list[str]) -> None:
    modules, output = loaded_after(*args)
    assert "Usage: kairos" in output or "kairos " in output
    assert sorted(modules & set(HELP_NEVER)) == []


def test_an_instant_check_imports_no_database_layer_or_web_app(closed_port: int) -> None:
    modules, output = loaded_after("check", "tcp", f"127.0.0.1:{closed_port}")
    assert "NOT AVAILABLE (connect_refused)" in output  # the check really ran
    assert sorted(modules & set(SERVER_ONLY)) == []


def test_a_database_command_still_finds_what_it_imports_lazily(tmp_path: Path) -> None:
    # The other side of lazy imports: a command that needs the database still gets it (here: an empty list).
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    env["KAIROS_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", "apikey", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ID", "PREFIX", "STATE", "LAST", "USED", "SCOPES", "NAME"]


def test_the_start_up_bench_runs_and_prints_each_command() -> None:
    bench = Path(__file__).resolve().parents[2] / "bench" / "cli_start.py"
    done = subprocess.run(
        [sys.executable, str(bench), "--runs", "1"], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    rows = [line.rsplit(maxsplit=2) for line in done.stdout.splitlines()[2:]]
    assert [name for name, _, _ in rows] == ["--help", "--version", "check http", "check tcp"]
    assert all(wall.endswith("ms") and cpu.endswith("ms") for _, wall, cpu in rows)
