"""Fleet tests need PostgreSQL (the fleet runs on nothing else): each gets a fresh migrated database, and they
are skipped when KAIROS_TEST_DATABASE_URL names no PostgreSQL server (the SQLite pass)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kairos.db.engine import make_engine, make_sessionmaker
from tests.dbs import DatabaseFactory
from tests.fleet.procs import Fleet, Target


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


@pytest.fixture
def target() -> Iterator[Target]:
    """A loopback HTTP target recording each request's User-Agent (tests/servers/ua_target.py)."""
    t = Target()
    yield t
    t.close()


@pytest.fixture
def fleet(pg_url: str, tmp_path: Path) -> Iterator[Fleet]:
    """Workers and web nodes as real processes (tests/fleet/procs.py), heartbeats every second."""
    f = Fleet(pg_url, tmp_path, heartbeat_s=1.0)
    yield f
    f.close()
