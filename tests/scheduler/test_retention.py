from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from kairos.db.models import CheckResult, Resource, Rollup15m
from tests.harness import make_settings, running_kairos


async def test_retention_deletes_old_raw_results_and_keeps_rollups(db_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    async with running_kairos(make_settings(db_url, tmp_path, retention_days=7, scheduler_enabled=False)) as k:
        async with k.runtime.sessionmaker() as s:
            r = Resource(name="old", kind="TCP", target="127.0.0.1:1", config={}, enabled=False)
            s.add(r)
            await s.flush()
            await s.execute(
                insert(CheckResult),
                [
                    {"resource_id": r.id, "checked_at": now - timedelta(days=d), "status": "AVAILABLE", "message": ""}
                    for d in (1, 6, 8, 30)
                ],
            )
            await s.execute(
                insert(Rollup15m),
                [{"resource_id": r.id, "bucket": int((now - timedelta(days=30)).timestamp()) // 900 * 900}],
            )
            await s.commit()
        assert await k.runtime.scheduler.prune(now) == 2
        async with k.runtime.sessionmaker() as s:
            assert (await s.execute(select(func.count()).select_from(CheckResult))).scalar_one() == 2
            assert (await s.execute(select(func.count()).select_from(Rollup15m))).scalar_one() == 1


async def test_without_retention_nothing_is_deleted(db_url: str, tmp_path: Path) -> None:
    async with running_kairos(make_settings(db_url, tmp_path, scheduler_enabled=False)) as k:
        assert await k.runtime.scheduler.prune() == 0
