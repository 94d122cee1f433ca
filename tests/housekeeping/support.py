"""A migrated database with one resource, history written as the recorder writes it (closed blocks and their
rollups, kairos.history.writer), and a housekeeper on it with the retention settings a test asks for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.models import Outage, Resource
from kairos.history.codec import StoredResult
from kairos.history.reader import everything
from kairos.history.writer import Writer, blocks_of
from kairos.metrics import Metrics
from kairos.probes.base import Phases, ProbeResult, Status
from kairos.scheduler.housekeeping import Housekeeper
from tests.harness import make_settings


@dataclass
class Db:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    dialect: str
    resource_id: int
    data_dir: Path
    url: str

    def housekeeper(self, metrics: Metrics | None = None, **settings: Any) -> Housekeeper:
        batch = settings.pop("batch_rows", 5_000)
        pause = settings.pop("pause_s", 0.0)
        values = make_settings(self.url, self.data_dir, **settings)
        return Housekeeper(self.sessionmaker, values, self.dialect, metrics, batch_rows=batch, pause_s=pause)

    async def count(self, model: Any) -> int:
        async with self.sessionmaker() as s:
            return int((await s.execute(select(func.count()).select_from(model))).scalar_one())

    async def stored(self, resource_id: int | None = None) -> list[StoredResult]:
        """Every raw result still stored (closed blocks and journal), oldest first."""
        async with self.sessionmaker() as s:
            return await everything(s, resource_id)

    async def add_resource(self, name: str) -> int:
        async with self.sessionmaker() as s, s.begin():
            r = Resource(name=name, kind="HTTP", target="http://example.invalid/", config={}, enabled=False)
            s.add(r)
            await s.flush()
            return int(r.id)


def result(at: datetime, i: int) -> ProbeResult:
    status = Status.NOT_AVAILABLE if i % 10 == 0 else Status.AVAILABLE
    phases = Phases(dns_ms=2.0, connect_ms=5.0, tls_ms=12.0, ttfb_ms=20.0, total_ms=40.0 + i % 7)
    return ProbeResult(status, "HTTP 200 OK", None, phases, 200, {}, at)


async def seed_checks(db: Db, end: datetime, count: int, every: timedelta, *, resource_id: int | None = None) -> None:
    """``count`` results ``every`` apart, the newest at ``end``, as closed blocks with their rollups."""
    results = [result(end - every * (count - 1 - i), i) for i in range(count)]
    rid = db.resource_id if resource_id is None else resource_id
    async with db.sessionmaker() as s, s.begin():
        await Writer(db.dialect).write_blocks(s, blocks_of(rid, results))


async def add_outage(db: Db, start: datetime, end: datetime | None) -> int:
    async with db.sessionmaker() as s, s.begin():
        row = Outage(resource_id=db.resource_id, started_at=start, ended_at=end, message="refused")
        s.add(row)
        await s.flush()
        return int(row.id)


@pytest.fixture
async def db(db_url: str, tmp_path: Path) -> AsyncIterator[Db]:
    engine = make_engine(db_url)
    sm = make_sessionmaker(engine)
    db = Db(engine, sm, engine.dialect.name, 0, tmp_path, db_url)
    db.resource_id = await db.add_resource("kept")
    yield db
    await engine.dispose()
