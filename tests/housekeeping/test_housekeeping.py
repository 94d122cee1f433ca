"""Retention of raw results and closed outages, in batches beside a writing recorder, and SQLite upkeep."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from kairos.db.models import Outage, ResultBlock, Rollup1d, Rollup15m
from kairos.db.models.notify import NotificationChannel, NotificationOutbox
from kairos.metrics import Metrics
from kairos.probes.base import Status
from kairos.rollups.live import LiveUptime
from kairos.scheduler.housekeeping import Housekeeper
from kairos.scheduler.recorder import Record, Recorder, state_row
from kairos.scheduler.state import RuntimeState, Transition
from kairos.services.resources import delete_resource
from tests.harness import wait_for
from tests.housekeeping.support import Db, add_outage, result, seed_checks

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


async def uptime_30d(db: Db) -> float | None:
    live = LiveUptime()
    async with db.sessionmaker() as s:
        await live.load(s, NOW.timestamp())
    return live.get(db.resource_id)["d30"]


async def test_raw_results_older_than_the_retention_are_deleted_and_recent_ones_kept(db: Db) -> None:
    await seed_checks(db, NOW, 40 * 24, timedelta(hours=1))  # 40 days, hourly
    before = await uptime_30d(db)
    rollups = (await db.count(Rollup15m), await db.count(Rollup1d))

    removed = await db.housekeeper(retention_days=7).prune_results(NOW)

    stored = await db.stored()
    kept = 7 * 24 + 1  # the result exactly at the cut-off starts a block that is not all older: kept
    assert removed == 40 * 24 - kept
    assert len(stored) == kept
    assert stored[0].checked_at == NOW - timedelta(days=7)
    assert (await db.count(Rollup15m), await db.count(Rollup1d)) == rollups
    assert await uptime_30d(db) == before


async def test_closed_outages_older_than_their_retention_go_and_open_ones_stay_however_old(db: Db) -> None:
    old_closed = await add_outage(db, NOW - timedelta(days=100), NOW - timedelta(days=99))
    recent_closed = await add_outage(db, NOW - timedelta(days=100), NOW - timedelta(days=2))
    ancient_open = await add_outage(db, NOW - timedelta(days=400), None)

    removed = await db.housekeeper(outage_retention_days=30).prune_outages(NOW)

    async with db.sessionmaker() as s:
        left = set((await s.execute(select(Outage.id))).scalars())
    assert removed == 1
    assert left == {recent_closed, ancient_open}
    assert old_closed not in left


async def test_without_retention_settings_nothing_is_ever_deleted(db: Db) -> None:
    await seed_checks(db, NOW - timedelta(days=3000), 50, timedelta(days=1))
    await add_outage(db, NOW - timedelta(days=3000), NOW - timedelta(days=2999))
    keeper = db.housekeeper()

    done = await keeper.run_once(NOW)

    assert (done.results, done.outages) == (0, 0)
    assert len(await db.stored()) == 50
    assert await db.count(Outage) == 1


async def test_a_block_partly_older_than_the_cut_off_is_kept_whole(db: Db) -> None:
    # Retention deletes whole 15-minute blocks: a block goes once all of it is older than the cut-off.
    cutoff = NOW - timedelta(days=7)
    await seed_checks(db, cutoff + timedelta(minutes=20), 60, timedelta(minutes=1))  # cut-off - 39 min .. + 20 min

    removed = await db.housekeeper(retention_days=7).prune_results(NOW + timedelta(minutes=5))

    stored = await db.stored()
    assert removed == 9 + 15 + 15  # the three blocks that end by the new cut-off (old cut-off + 5 min)
    assert stored[0].checked_at == cutoff  # the block holding the new cut-off stays whole, older results too
    assert len(stored) == 60 - removed


async def test_a_big_prune_runs_in_several_transactions(db: Db) -> None:
    await seed_checks(db, NOW - timedelta(days=10), 1_050, timedelta(minutes=1))
    blocks = await db.count(ResultBlock)  # a batch is a number of blocks (15 one-minute results each)
    keeper = db.housekeeper(retention_days=1, batch_rows=10)

    assert await keeper.prune_results(NOW) == 1_050
    assert blocks == 71
    assert keeper.batches == 8
    assert len(await db.stored()) == 0
    assert await db.count(ResultBlock) == 0


async def rollup_resources(db: Db) -> tuple[set[int], set[int]]:
    async with db.sessionmaker() as s:
        quarter = set((await s.execute(select(Rollup15m.resource_id))).scalars())
        daily = set((await s.execute(select(Rollup1d.resource_id))).scalars())
    return quarter, daily


async def test_a_deleted_resources_blocks_and_rollups_are_swept_and_other_resources_keep_theirs(db: Db) -> None:
    gone = await db.add_resource("gone")
    await seed_checks(db, NOW - timedelta(days=3), 3 * 96, timedelta(minutes=15))  # three days: three daily rows
    await seed_checks(db, NOW - timedelta(days=3), 3 * 96, timedelta(minutes=15), resource_id=gone)
    async with db.sessionmaker() as s:
        await delete_resource(s, gone)  # no foreign key cascades to blocks and rollups: they wait for a round
    assert len(await db.stored(gone)) == 3 * 96

    done = await db.housekeeper().run_once(NOW)  # no retention set: only the sweep deletes

    assert done.results == 3 * 96
    assert await db.stored(gone) == []
    assert len(await db.stored(db.resource_id)) == 3 * 96
    assert await rollup_resources(db) == ({db.resource_id}, {db.resource_id})
    assert (await db.count(Rollup15m), await db.count(Rollup1d)) == (3 * 96, 4)
    assert (await db.housekeeper().run_once(NOW)).results == 0  # nothing left to sweep


def record(db: Db, i: int) -> Record:
    r = result(datetime.now(UTC), i + 1)
    state = RuntimeState(status=Status.AVAILABLE, last=r)
    return Record(db.resource_id, r, state_row(db.resource_id, state), Transition())


async def test_the_recorder_keeps_writing_while_a_big_prune_runs(db: Db) -> None:
    await seed_checks(db, NOW - timedelta(days=60), 20_000, timedelta(minutes=1))
    keeper = db.housekeeper(retention_days=30, batch_rows=100, pause_s=0.05)  # 1,334 blocks: 14 batches
    recorder = Recorder(db.sessionmaker, db.dialect)
    stalls: list[float] = []

    async def write_while_pruning(prune: asyncio.Task[Any]) -> None:
        i = 0
        while not prune.done() or i < 3:
            recorder.add(record(db, i))
            started = time.perf_counter()
            await recorder.flush()  # raises on "database is locked"
            stalls.append(time.perf_counter() - started)
            i += 1
            await asyncio.sleep(0.01)

    prune = asyncio.create_task(keeper.prune_results(NOW))
    await write_while_pruning(prune)
    upkeep = asyncio.create_task(keeper.optimize())
    await write_while_pruning(upkeep)
    await upkeep

    assert await prune == 20_000
    assert keeper.batches >= 10
    assert recorder.written == len(stalls)
    assert len(await db.stored()) == len(stalls)  # journaled (or closed, if a bucket ended meanwhile)
    assert max(stalls) < 2.0  # a batch, not the whole prune (measured figures: docs/sizing.md)


def wal_size(db: Db) -> int:
    path = f"{make_url(db.url).database}-wal"
    return os.path.getsize(path) if os.path.exists(path) else 0


async def test_sqlite_upkeep_truncates_the_write_ahead_log(db: Db) -> None:
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL leaves upkeep to autovacuum")
    await seed_checks(db, NOW - timedelta(days=60), 5_000, timedelta(minutes=1))
    await db.housekeeper(retention_days=30).prune_results(NOW)
    assert wal_size(db) > 0

    await db.housekeeper().optimize()

    assert wal_size(db) == 0


async def test_upkeep_runs_cleanly_on_either_database(db: Db) -> None:
    await db.housekeeper().optimize()  # a no-op on PostgreSQL, PRAGMAs on SQLite: neither raises
    assert await db.stored() == []


async def test_a_failing_round_is_logged_and_the_next_round_still_runs(
    db: Db, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_checks(db, NOW - timedelta(days=60), 10, timedelta(minutes=1))
    keeper = db.housekeeper(retention_days=30)
    calls = 0
    real = keeper.prune_results

    async def flaky(now: datetime) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database went away")
        return await real(now)

    keeper.prune_results = flaky  # type: ignore[method-assign]
    job = asyncio.create_task(keeper.run_forever(first_after_s=0, every_s=0.01))
    try:
        await wait_for(lambda: keeper.rounds >= 1)
    finally:
        job.cancel()
    assert keeper.failures == 1
    assert await db.stored() == []
    assert "housekeeping failed, retrying in the next round: RuntimeError: database went away" in caplog.text


async def test_metrics_count_deleted_rows_by_kind_and_the_time_of_the_last_round(db: Db) -> None:
    await seed_checks(db, NOW - timedelta(days=60), 7, timedelta(minutes=1))
    await add_outage(db, NOW - timedelta(days=90), NOW - timedelta(days=89))
    metrics = Metrics()
    keeper = Housekeeper(
        db.sessionmaker,
        db.housekeeper(retention_days=30, outage_retention_days=30)._settings,
        db.dialect,
        metrics,
        clock=lambda: 1_700_000_000.0,
    )

    await keeper.run_once(NOW)

    text = metrics.render().decode()
    assert 'kairos_housekeeping_deleted_total{kind="check_result"} 7.0' in text
    assert 'kairos_housekeeping_deleted_total{kind="outage"} 1.0' in text
    assert "kairos_housekeeping_last_run_timestamp_seconds 1.7e+09" in text


async def test_the_scheduler_runs_housekeeping_as_its_own_job(db: Db, tmp_path: Path) -> None:
    from tests.harness import local_scheduler, make_settings, running_kairos

    settings = make_settings(db.url, tmp_path, retention_days=30)
    async with running_kairos(settings) as k:
        scheduler = local_scheduler(k.runtime)
        assert any(t.get_name() == "kairos-housekeeping" for t in scheduler._tasks)
        assert await scheduler.prune() == 0


async def test_finished_notification_deliveries_age_out_and_pending_ones_stay(db: Db) -> None:
    async with db.sessionmaker() as s, s.begin():
        channel = NotificationChannel(name="ops", kind="WEBHOOK", url_enc=b"x")
        s.add(channel)
        await s.flush()
        for status, age in (("sent", 40), ("dead", 40), ("sent", 5), ("pending", 90)):
            s.add(
                NotificationOutbox(
                    channel_id=channel.id,
                    event="outage_opened",
                    payload={},
                    status=status,
                    created_at=NOW - timedelta(days=age),
                )
            )
    removed = await db.housekeeper(notify_retention_days=30).prune_deliveries(NOW)
    async with db.sessionmaker() as s:
        left = sorted((await s.execute(select(NotificationOutbox.status))).scalars())
    assert removed == 2
    assert left == ["pending", "sent"]
