"""A migrated database with one resource, history written in the recorder's own row shapes, and a
housekeeper on it with the retention settings a test asks for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.models import CheckResult, Outage, Resource, Rollup1d, Rollup15m
from kairos.metrics import Metrics
from kairos.probes.base import Phases, ProbeResult, Status
from kairos.rollups.buckets import FIFTEEN_MIN, ONE_DAY, deltas_for
from kairos.scheduler.housekeeping import Housekeeper
from kairos.scheduler.recorder import result_row
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


def result(at: datetime, i: int) -> ProbeResult:
    status = Status.NOT_AVAILABLE if i % 10 == 0 else Status.AVAILABLE
    phases = Phases(dns_ms=2.0, connect_ms=5.0, tls_ms=12.0, ttfb_ms=20.0, total_ms=40.0 + i % 7)
    return ProbeResult(status, "HTTP 200 OK", None, phases, 200, {}, at)


async def seed_checks(db: Db, end: datetime, count: int, every: timedelta, *, rollups: bool = True) -> None:
    """``count`` results ``every`` apart, the newest at ``end``, with their rollups."""
    results = [result(end - every * (count - 1 - i), i) for i in range(count)]
    rid = db.resource_id
    async with db.sessionmaker() as s, s.begin():
        rows = [result_row(rid, r) for r in results]
        for start in range(0, len(rows), 5_000):
            await s.execute(insert(CheckResult), rows[start : start + 5_000])
        if rollups:
            items = [(rid, r) for r in results]
            for model, size in ((Rollup15m, FIFTEEN_MIN), (Rollup1d, ONE_DAY)):
                values = [d.as_row(r, b) for (r, b), d in deltas_for(items, size).items()]
                await s.execute(insert(model), values)


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
    async with sm() as s, s.begin():
        r = Resource(name="kept", kind="HTTP", target="http://example.invalid/", config={}, enabled=False)
        s.add(r)
        await s.flush()
        rid = int(r.id)
    yield Db(engine, sm, engine.dialect.name, rid, tmp_path, db_url)
    await engine.dispose()
