"""Web nodes and workers of a fleet start together, and each runs the migrations: on a brand-new PostgreSQL
database they take turns (an advisory lock) instead of colliding on the catalog (failed before: one of three
`kairos migrate` started at once exited with UniqueViolation on pg_type in two runs out of three)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.dbs import DatabaseFactory, _admin_conninfo


@pytest.fixture
def empty_pg(databases: DatabaseFactory) -> Iterator[str]:
    if databases.backend != "postgresql" or databases.pg is None:
        pytest.skip("the fleet needs PostgreSQL (set KAIROS_TEST_DATABASE_URL)")
    name = "e_" + uuid.uuid4().hex[:12]
    admin = _admin_conninfo(databases.pg)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(databases.pg).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_processes_migrating_one_new_database_at_once_all_succeed(empty_pg: str) -> None:
    env = {**os.environ, "KAIROS_DATABASE_URL": empty_pg}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "kairos.cli.main", "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [(p.wait(120), *p.communicate()) for p in procs]
    assert [code for code, _, _ in outcomes] == [0, 0, 0, 0], [err for _, _, err in outcomes]
    assert all("up to date" in out for _, out, _ in outcomes)
