"""The command line as a new user meets it (issue 16): help without placeholders on flags, ``kairos check`` lines
in the order things happened with "-" for what never ran, and a database that cannot be opened named in one
line with the setting to change. Real subprocesses, real loopback targets, a real registry and PostgreSQL port."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from kairos.cli.main import app
from tests.api.loopback import Target
from tests.cli.test_cli import kairos_cli
from tests.servers.registry import Registry, push

# -- help -------------------------------------------------------------------------------------------------------


def command_paths(command: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            yield from command_paths(sub, (*prefix, name))


ALL_COMMANDS = list(command_paths(typer.main.get_command(app)))


def test_the_tree_is_walked() -> None:
    assert ("check", "image") in ALL_COMMANDS and ("user", "set-password") in ALL_COMMANDS and len(ALL_COMMANDS) > 20


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "kairos")
def test_every_help_prints_flags_without_a_value_placeholder(path: tuple[str, ...]) -> None:
    done = CliRunner().invoke(app, [*path, "--help"], prog_name="kairos")
    assert done.exit_code == 0, done.output  # `check image --help` ended in a Rich MarkupError ("[/variant]")
    assert "Usage: kairos" in done.output
    assert "<bool>" not in done.output
    for line in done.output.splitlines():  # a flag's line: its name(s), then straight to the help text
        if line.strip().startswith("--help "):
            assert line.split() == ["--help", "Show", "this", "message", "and", "exit."]


def test_value_options_name_their_value_and_flags_none() -> None:
    out = CliRunner().invoke(app, ["check", "tcp", "--help"], prog_name="kairos").output
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.strip().startswith("--")}
    assert lines["--timeout"][1] == "SECONDS"
    assert lines["--tls"][1:3] == ["Complete", "a"]  # no type between the flag and its help
    out = CliRunner().invoke(app, ["check", "image", "--help"], prog_name="kairos").output
    assert "os/arch[/variant]" in out and "--platform OS/ARCH" in out


# -- kairos check: the order of lines, and "-" for what never ran -------------------------------------------------


def labels(out: str) -> list[str]:
    """The label column of the phase lines (two-space indent), in order."""
    return [line[2:14].strip() for line in out.splitlines() if line.startswith("  ") and not line.startswith("    ")]


def value_of(out: str, label: str) -> str:
    return next(line[14:].strip() for line in out.splitlines() if line[2:14].strip() == label)


async def test_check_http_prints_the_phases_then_total_then_status_then_the_verdict(target: Target) -> None:
    done = await kairos_cli("check", "http", target.url("/"))
    assert done.code == 0, done
    assert labels(done.out) == ["DNS", "connect", "TLS", "first byte", "total", "HTTP status"]
    assert value_of(done.out, "DNS") == "- (an IP address: no lookup)"  # 127.0.0.1: no lookup, not "0.0 ms"
    assert value_of(done.out, "TLS") == "-"  # plain HTTP
    assert value_of(done.out, "first byte").endswith(" ms") and value_of(done.out, "total").endswith(" ms")
    assert done.out.rstrip().splitlines()[-1].startswith("AVAILABLE")


async def test_a_refused_check_shows_dashes_for_what_never_ran(closed_port: int) -> None:
    for args in (("http", f"http://127.0.0.1:{closed_port}/"), ("tcp", f"127.0.0.1:{closed_port}", "--tls")):
        done = await kairos_cli("check", *args)
        assert done.code == 1, done
        assert labels(done.out)[-1] == "total"
        assert value_of(done.out, "TLS") == "-"
        assert "0.0 ms" not in done.out.replace(value_of(done.out, "total"), "")
        assert "connect_refused" in done.out.splitlines()[-1]


async def test_a_hostname_shows_its_dns_time(target: Target) -> None:
    done = await kairos_cli("check", "http", target.url("/").replace("127.0.0.1", "localhost"))
    assert done.code == 0, done
    assert value_of(done.out, "DNS").endswith(" ms")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory, oci_dir: str) -> Iterator[Registry]:
    r = Registry(tmp_path_factory.mktemp("cli-reg"))
    try:
        push(oci_dir, "v1", f"{r.host}/library/hello:v1")
        push(oci_dir, "multi", f"{r.host}/team/app:multi", all_=True)
        yield r
    finally:
        r.stop()


def check_image(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", "check", "image", *args, "--insecure"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_image_prints_the_requests_then_the_phase_times_then_total_then_the_facts(registry: Registry) -> None:
    out = check_image(f"{registry.host}/team/app:multi").stdout
    lines = out.rstrip().splitlines()
    steps = [i for i, line in enumerate(lines) if line.startswith("    ")]
    total = next(i for i, line in enumerate(lines) if line.startswith("  total"))
    digest = next(i for i, line in enumerate(lines) if line.startswith("  digest"))
    assert steps and max(steps) < total < digest < len(lines) - 1
    assert [labels(out)[i] for i in range(2, 6)] == ["token", "manifest", "blobs", "total"]
    assert value_of(out, "token") == "-"  # an open registry: no token was asked for
    assert value_of(out, "blobs").endswith(" ms")
    platform = next(line for line in lines if line.strip().startswith("platform selection"))
    assert platform.split()[-1] == "-"  # a choice, not a request: no time
    assert lines[-1].startswith("AVAILABLE")


def test_check_image_stopped_early_shows_no_time_for_the_blobs(registry: Registry) -> None:
    manifest_only = ((f"{registry.host}/library/hello:v1", "--manifest-only"), 0)
    missing_tag = ((f"{registry.host}/library/hello:nope",), 1)
    for args, code in (manifest_only, missing_tag):
        done = check_image(*args)
        assert done.returncode == code, done.stdout + done.stderr
        assert value_of(done.stdout, "blobs") == "-" and value_of(done.stdout, "token") == "-"
        assert value_of(done.stdout, "manifest").endswith(" ms")
        assert labels(done.stdout).index("total") > labels(done.stdout).index("blobs")


# -- a database that cannot be opened --------------------------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}, **extra}


def run_in(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kairos.cli.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


DATABASE_COMMANDS = [["migrate"], ["apikey", "list"], ["user", "list"], ["export"], ["discovery", "list"]]


def assert_one_line(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=" ".join)
def test_a_data_dir_that_cannot_hold_the_database_is_named_with_its_setting(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    data_dir = tmp_path / "a-file" / "data"  # cannot be created, even by root
    done = run_in(tmp_path, clean_env(KAIROS_DATA_DIR=str(data_dir)), *args)
    line = assert_one_line(done, f"{data_dir}/kairos.db", "KAIROS_DATA_DIR", "Not a directory")
    assert line.startswith("kairos: cannot prepare the database")


def test_run_elsewhere_sqlite_says_which_file_it_could_not_open(tmp_path: Path) -> None:
    # The default ./data of another working directory, where kairos.db is in the way: SQLite's own words
    # ("unable to open database file") now come with the file and the variable that moves it.
    (tmp_path / "data" / "kairos.db").mkdir(parents=True)
    done = run_in(tmp_path, clean_env(), "apikey", "list")
    assert_one_line(
        done, f"{tmp_path}/data/kairos.db", "unable to open database file", f"KAIROS_DATA_DIR (now {tmp_path}/data)"
    )


def test_migrate_names_the_database_it_prepared(tmp_path: Path) -> None:
    done = run_in(tmp_path, clean_env(), "migrate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"database schema is up to date: {tmp_path}/data/kairos.db (SQLite)"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_a_read_only_data_dir_is_named(tmp_path: Path) -> None:
    data_dir = tmp_path / "ro"
    data_dir.mkdir(mode=0o500)
    done = run_in(tmp_path, clean_env(KAIROS_DATA_DIR=str(data_dir)), "apikey", "list")
    assert_one_line(done, str(data_dir), "KAIROS_DATA_DIR")


@pytest.mark.parametrize("args", [*DATABASE_COMMANDS, ["serve"]], ids=" ".join)
def test_a_refusing_postgresql_is_named_without_its_password(tmp_path: Path, closed_port: int, args: list[str]) -> None:
    url = f"postgresql://kairos:Pa55-w0rd-in-url@127.0.0.1:{closed_port}/kairos"
    done = run_in(tmp_path, clean_env(KAIROS_DATABASE_URL=url, KAIROS_DATA_DIR=str(tmp_path)), *args)
    line = assert_one_line(done, f"kairos:***@127.0.0.1:{closed_port}/kairos", "KAIROS_DATABASE_URL", "refused")
    assert "Pa55-w0rd" not in done.stdout + done.stderr and line.startswith("kairos: cannot prepare the database")


def test_a_password_file_is_not_shown_either(tmp_path: Path, closed_port: int) -> None:
    (tmp_path / "pw").write_text("Fr0m-the-file\n")
    env = clean_env(
        KAIROS_DATABASE_URL=f"postgresql://kairos@127.0.0.1:{closed_port}/kairos",
        KAIROS_DATABASE_PASSWORD_FILE=str(tmp_path / "pw"),
        KAIROS_DATA_DIR=str(tmp_path),
    )
    done = run_in(tmp_path, env, "user", "list")
    assert_one_line(done, "kairos:***@127.0.0.1", "KAIROS_DATABASE_URL")
    assert "Fr0m-the-file" not in done.stdout + done.stderr


def test_import_with_a_data_dir_that_cannot_keep_the_secret_key_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    (tmp_path / "kairos.yaml").write_text("apiVersion: kairos/v1\nkind: KairosConfig\n")
    env = clean_env(KAIROS_DATA_DIR=str(tmp_path / "a-file" / "data"))
    done = run_in(tmp_path, env, "import", "kairos.yaml", "--dry-run")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"kairos: KAIROS_DATA_DIR: cannot keep the secret key in {tmp_path}/a-file/data: Not a directory; "
        "set KAIROS_DATA_DIR to a writable directory, or KAIROS_SECRET_KEY"
    ]
