"""The data directory, the SQLite database with its -wal and -shm files, and the secret key are private to the
user Kairos runs as, whatever the umask (issue 11: kairos.db and its WAL were world-readable)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.install.support import stop, wait_until_up
from tests.servers.ports import free_port


def kairos_command(*args: str, umask: int) -> list[str]:
    """`kairos ARGS` from the test venv under ``umask`` (the shell's umask, as a user's service would have)."""
    return ["sh", "-c", f'umask {umask:03o} && exec "$0" -m kairos.cli.main "$@"', sys.executable, *args]


def env_for(data: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    return env | {"KAIROS_DATA_DIR": str(data), **more}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_kairos_migrate_creates_a_private_data_dir_and_database(tmp_path: Path, umask: int) -> None:
    data = tmp_path / "data"
    out = subprocess.run(
        kairos_command("migrate", umask=umask), env=env_for(data), capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert oct(mode(data)) == oct(0o700)
    assert oct(mode(data / "kairos.db")) == oct(0o600)


def test_kairos_serve_keeps_the_database_its_wal_and_the_secret_key_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    env = env_for(data, KAIROS_HOST="127.0.0.1", KAIROS_PORT=str(port), KAIROS_LOG_LEVEL="warning")
    proc = subprocess.Popen(
        kairos_command("serve", umask=0o022), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", proc)
        # While the server runs, its open connections keep the -wal and -shm files in place.
        modes = {p.name: oct(mode(p)) for p in data.iterdir()}
    finally:
        stop(proc)
    assert modes["kairos.db-wal"] == oct(0o600) and modes["kairos.db-shm"] == oct(0o600)
    assert modes["kairos.db"] == oct(0o600) and modes["secret.key"] == oct(0o600)
    assert oct(mode(data)) == oct(0o700)
