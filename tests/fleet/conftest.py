"""Fleet tests need PostgreSQL (the fleet runs on nothing else): each gets a fresh migrated database, and they
are skipped when KAIROS_TEST_DATABASE_URL names no PostgreSQL server (the SQLite pass)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kairos.db.engine import make_engine, make_sessionmaker
from tests.dbs import DatabaseFactory


@pytest.fixture
def pg_url(databases: DatabaseFactory) -> Iterator[str]:
    """A fresh migrated PostgreSQL database's URL."""
    if databases.backend != "postgresql":
        pytest.skip("the fleet needs PostgreSQL (set KAIROS_TEST_DATABASE_URL)")
    url = databases.fresh()
    yield url
    databases.drop(url)


@pytest.fixture
async def pg_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(pg_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def pg_sessions(pg_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(pg_engine)
