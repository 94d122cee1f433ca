"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when KAIROS_TEST_DATABASE_URL is set)
and a running Kairos on a loopback port."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.dbs import DatabaseFactory
from tests.servers.registry import SERVERS

if TYPE_CHECKING:
    from tests.harness import Running


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks what does not depend on the database: the browser tests, the API fuzzing and the install tests (a
    wheel in a fresh venv, scripts/serve on a fresh clone). They exercise the pages, the API's input handling and
    packaging, so scripts/test runs them on SQLite only, which keeps CI short."""
    for item in items:
        path = item.path.as_posix()
        if "/tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
        elif path.endswith("/tests/permissions/test_schemathesis.py"):
            item.add_marker(pytest.mark.fuzz)
        elif "/tests/install/" in path:
            item.add_marker(pytest.mark.install)


@pytest.fixture(scope="session")
def oci_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The handmade OCI layout (tests/servers/make_oci.py: tag v1 and the two-platform index multi)."""
    d = str(tmp_path_factory.mktemp("oci") / "layout")
    subprocess.run([sys.executable, str(SERVERS / "make_oci.py"), d], check=True)
    return d


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("dbs"))
    yield factory
    factory.cleanup()


@pytest.fixture
def db_url(databases: DatabaseFactory) -> Iterator[str]:
    url = databases.fresh()
    yield url
    databases.drop(url)


@pytest.fixture
async def kairos(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    from tests.harness import make_settings, running_kairos

    async with running_kairos(make_settings(db_url, tmp_path)) as running:
        yield running
