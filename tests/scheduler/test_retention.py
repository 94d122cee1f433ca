from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from kairos.db.models import Resource, Rollup15m
from kairos.history.reader import everything
from kairos.history.writer import Writer, blocks_of
from kairos.probes.base import ProbeResult, Status
from tests.harness import local_scheduler, make_settings, running_kairos


async def test_retention_deletes_old_raw_results_and_keeps_rollups(db_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    async with running_kairos(make_settings(db_url, tmp_path, retention_days=7, scheduler_enabled=False)) as k:
        async with k.runtime.sessionmaker() as s:
            r = Resource(name="old", kind="TCP", target="127.0.0.1:1", config={}, enabled=False)
            s.add(r)
            await s.flush()
            results = [ProbeResult(Status.AVAILABLE, "", checked_at=now - timedelta(days=d)) for d in (1, 6, 8, 30)]
            await Writer(s.get_bind().dialect.name).write_blocks(s, blocks_of(r.id, results))
            await s.commit()
        assert await local_scheduler(k.runtime).prune(now) == 2
        async with k.runtime.sessionmaker() as s:
            assert len(await everything(s)) == 2
            assert (await s.execute(select(func.count()).select_from(Rollup15m))).scalar_one() == 4


async def test_without_retention_nothing_is_deleted(db_url: str, tmp_path: Path) -> None:
    async with running_kairos(make_settings(db_url, tmp_path, scheduler_enabled=False)) as k:
        assert await local_scheduler(k.runtime).prune() == 0
