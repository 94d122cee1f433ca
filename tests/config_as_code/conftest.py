"""Fixtures for configuration as code: a server whose operator opened the HTTP import to secret references
(``kairos``, as the round-trip tests need) and one with the defaults (``locked``), both with a secrets dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.dbs import DatabaseFactory
from tests.harness import Running, make_settings, running_kairos


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    path = tmp_path / "secrets"
    path.mkdir()
    return path


@pytest.fixture
async def kairos(db_url: str, tmp_path: Path, secrets_dir: Path) -> AsyncIterator[Running]:
    settings = make_settings(db_url, tmp_path, secrets_dir=secrets_dir, config_api_secrets=True)
    async with running_kairos(settings) as running:
        yield running


@pytest.fixture
async def locked(db_url: str, tmp_path: Path, secrets_dir: Path) -> AsyncIterator[Running]:
    """The defaults: KAIROS_CONFIG_API_SECRETS off, so the HTTP import resolves no reference."""
    async with running_kairos(make_settings(db_url, tmp_path, secrets_dir=secrets_dir)) as running:
        yield running


@pytest.fixture
async def elsewhere(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    """Another server with the defaults, on a database of its own: where an export is taken to."""
    url = databases.fresh()
    try:
        async with running_kairos(make_settings(url, tmp_path_factory.mktemp("elsewhere"))) as running:
            yield running
    finally:
        databases.drop(url)
