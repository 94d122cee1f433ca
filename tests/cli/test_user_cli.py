"""``kairos user``: run as a real subprocess against the test's database, next to a running Kairos."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kairos.cli.main import app
from tests.cli.test_cli import Done
from tests.harness import Running
from tests.web.pages import ADMIN_EMAIL, sign_in

PASSWORD = "tall-ladder-7"


def _env(db_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    return {**env, "KAIROS_DATABASE_URL": db_url, "KAIROS_DATA_DIR": str(data_dir)}


async def user_cli(db_url: str, tmp_path: Path, *args: str, stdin: str = "") -> Done:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kairos.cli.main",
        "user",
        *args,
        env=_env(db_url, tmp_path),
        cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), timeout=60)
    assert proc.returncode is not None
    return Done(proc.returncode, out.decode(), err.decode())


def one_line_error(done: Done, code: int, text: str) -> None:
    assert done.code == code, done
    assert text in done.err and "Traceback" not in done.err
    assert done.err.strip().count("\n") == 0, done.err


async def test_a_user_created_on_the_command_line_signs_in_and_is_listed(
    kairos: Running, db_url: str, tmp_path: Path
) -> None:
    done = await user_cli(
        db_url, tmp_path, "create", "Ops@Example.com", "--role", "admin", "--name", "Ops", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert done.code == 0, done
    assert "ops@example.com created (ADMIN" in done.out
    assert (await kairos.anon.get("/api/users/me", auth=("ops@example.com", PASSWORD))).json()["role"] == "ADMIN"

    listed = await user_cli(db_url, tmp_path, "list")
    assert listed.code == 0, listed
    row = next(line for line in listed.out.splitlines() if "ops@example.com" in line)
    assert "ADMIN" in row and "LOCAL" in row and "enabled" in row and "never" in row and "(Ops)" in row
    assert ADMIN_EMAIL in listed.out and "argon2" not in listed.out


async def test_the_password_is_prompted_twice_without_password_stdin(db_url: str, tmp_path: Path) -> None:
    done = await user_cli(db_url, tmp_path, "create", "typed@example.com", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert done.code == 0, done
    mismatch = await user_cli(db_url, tmp_path, "create", "typo@example.com", stdin=f"{PASSWORD}\nother-thing-1\n")
    assert mismatch.code != 0 and "Traceback" not in mismatch.err


@pytest.mark.parametrize(
    ("args", "stdin", "reason"),
    [
        (("w@example.com",), "short\n", "password: Use at least 10 characters."),
        (("w@example.com",), "w@example.com\n", "password: This password is too easy to guess."),
        (("w@example.com", "--role", "ROOT"), "", "--role must be ADMIN or USER"),
        (("nobody",), PASSWORD + "\n", "email: Enter an email address"),
        (("w@example.com",), "\n", "standard input held no password"),
    ],
)
def test_create_refuses_weak_passwords_bad_roles_and_bad_emails_with_exit_2(
    args: tuple[str, ...], stdin: str, reason: str
) -> None:
    # In-process: these stop before the database is opened.
    done = CliRunner().invoke(app, ["user", "create", *args, "--password-stdin"], input=stdin)
    assert done.exit_code == 2, done.output
    assert reason in done.stderr and done.stderr.strip().count("\n") == 0


async def test_create_refuses_an_email_in_use_regardless_of_case(db_url: str, tmp_path: Path) -> None:
    first = await user_cli(db_url, tmp_path, "create", "one@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    assert first.code == 0, first
    taken = await user_cli(db_url, tmp_path, "create", "ONE@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    one_line_error(taken, 1, "already exists")


async def test_set_password_lets_a_locked_out_admin_back_in_and_ends_its_sessions(
    kairos: Running, db_url: str, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=kairos.url) as browser:
        await sign_in(browser, ADMIN_EMAIL, "admin")
        assert (await browser.get("/api/users/me")).status_code == 200
        done = await user_cli(db_url, tmp_path, "set-password", ADMIN_EMAIL, "--password-stdin", stdin=PASSWORD + "\n")
        assert done.code == 0, done
        assert (await browser.get("/api/users/me")).status_code == 401
    me = await kairos.anon.get("/api/users/me", auth=(ADMIN_EMAIL, PASSWORD))
    assert me.status_code == 200 and me.json()["mustChangePassword"] is False

    unknown = await user_cli(db_url, tmp_path, "set-password", "ghost@example.com", "--password-stdin", stdin="x\n")
    one_line_error(unknown, 1, "no user with the email ghost@example.com")


async def test_disable_enable_and_delete_and_the_last_admin_is_never_deleted(
    kairos: Running, db_url: str, tmp_path: Path
) -> None:
    one_line_error(await user_cli(db_url, tmp_path, "delete", ADMIN_EMAIL), 1, "last enabled admin")

    await user_cli(db_url, tmp_path, "create", "u@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    assert (await user_cli(db_url, tmp_path, "disable", "U@example.com")).code == 0
    assert (await kairos.anon.get("/api/users/me", auth=("u@example.com", PASSWORD))).status_code == 401
    assert (await user_cli(db_url, tmp_path, "enable", "u@example.com")).code == 0
    assert (await kairos.anon.get("/api/users/me", auth=("u@example.com", PASSWORD))).status_code == 200
    deleted = await user_cli(db_url, tmp_path, "delete", "u@example.com")
    assert deleted.code == 0 and "u@example.com deleted" in deleted.out
