"""One running Kairos per module for the permission tests: the matrix's six callers share it (their calls leave
the fixtures in place: DELETE targets a missing id and writes send `{}`), which keeps the matrix fast."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.dbs import DatabaseFactory
from tests.harness import Running, make_settings, running_kairos


async def running(databases: DatabaseFactory, tmp: pytest.TempPathFactory, **settings: Any) -> AsyncIterator[Running]:
    url = databases.fresh()
    try:
        async with running_kairos(make_settings(url, tmp.mktemp("kairos"), **settings)) as kairos:
            yield kairos
    finally:
        databases.drop(url)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def shared_kairos(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    async for kairos in running(databases, tmp_path_factory):
        yield kairos


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def private_kairos(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Running]:
    async for kairos in running(databases, tmp_path_factory, access_mode="private"):
        yield kairos
