"""The SQLite database file, created private before SQLite opens it.

The file holds password hashes, API key hashes and encrypted credentials. SQLite creates a missing database
with mode 0644 (less the umask) and gives its -wal and -shm files the database file's mode, so creating the
file 0600 first keeps all three private, whatever the umask. Existing files are left as they are: an operator
may have chosen their mode (docs/security.md, "Files on disk")."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases, in-memory ones and ``file:`` URIs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def make_private_dir(path: Path) -> None:
    """Create ``path`` 0700 if it is missing (its missing parents get the usual mode); an existing one stays."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)


def create_private_file(path: Path) -> None:
    """Create an empty ``path`` 0600 (an empty file is a valid SQLite database) unless it exists."""
    make_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def prepare_sqlite_file(url: str) -> None:
    """Before the first connection: the SQLite file and its directory exist and, when new, are private."""
    path = sqlite_file(url)
    if path is not None:
        create_private_file(path)
