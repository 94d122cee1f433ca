"""A worker killed with SIGKILL, with real worker processes on a real PostgreSQL: the other worker of its location
checks what it owned within one interval plus 10 s, and once the leader closed the dead worker's journal, the
history holds every check the target saw, none twice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kairos.db.models import FleetWorker, ResultJournal
from tests.fleet.procs import (
    FLUSH_S,
    Fleet,
    Sessions,
    Target,
    add_http,
    checks_by,
    history,
    timestamps,
    unmatched,
    until,
    until_up,
)

INTERVAL_S = 5


@pytest.fixture
def fleet(pg_url: str, tmp_path: Path) -> Iterator[Fleet]:
    f = Fleet(pg_url, tmp_path, heartbeat_s=0.5)
    yield f
    f.close()


async def journal_of(sessions: Sessions, owner: str) -> tuple[int, int]:
    """(rows of ``owner`` in fleet_worker, its journal rows)."""
    async with sessions() as s:
        workers = await s.scalar(select(func.count()).select_from(FleetWorker).where(FleetWorker.id == owner))
        rows = await s.scalar(select(func.count()).select_from(ResultJournal).where(ResultJournal.owner == owner))
    return int(workers or 0), int(rows or 0)


async def test_a_killed_workers_resources_are_checked_again_and_nothing_is_lost_or_doubled(
    pg_sessions: Sessions, fleet: Fleet, target: Target
) -> None:
    paths = await add_http(pg_sessions, target, 8, interval_s=INTERVAL_S)
    a, b = fleet.worker("eu", "eu-a"), fleet.worker("eu", "eu-b")
    await until_up(fleet, a, b)

    owned: set[str] = set()

    async def both_busy() -> bool:  # two rounds of every resource, and eu-a took the last check of some
        hits = await target.hits()
        if not all(len(checks_by(hits, p, "eu")) >= 2 for p in paths.values()):
            return False
        owned.clear()
        owned.update(p for p in paths.values() if checks_by(hits, p, "eu")[-1].worker == "eu-a")
        return bool(owned) and {h.worker for h in hits} == {"eu-a", "eu-b"}

    await until(fleet, both_busy, 40, "both workers checking, eu-a the last to check some resource")
    a.kill()
    killed_at = time.time()

    async def taken_over() -> bool:
        hits = await target.hits()
        return all(any(h.t > killed_at and h.worker == "eu-b" for h in checks_by(hits, p, "eu")) for p in owned)

    await until(fleet, taken_over, INTERVAL_S + 10, "eu-b checking every resource eu-a owned")

    # The leader (eu-b now) takes eu-a for dead after 12 silent beats and closes its journal into blocks.
    await until(fleet, lambda: _adopted(pg_sessions), 30, "eu-a's journal adopted")
    b.stop()  # a clean stop writes everything eu-b recorded

    hits = await target.hits()
    results = await history(pg_sessions)
    for rid, path in paths.items():
        stamped = timestamps(results, rid, "eu")
        assert len(stamped) == len(set(stamped)), f"{path}: a check recorded twice"
        assert len({r.id for r in results if r.resource_id == rid and r.location == "eu"}) == len(stamped)
        # eu-a lost at most its unflushed results: those of the last flush interval (and the flush in flight).
        from_a = [h for h in checks_by(hits, path, "eu") if h.worker == "eu-a" and h.t <= killed_at - FLUSH_S - 0.5]
        from_b = [h for h in checks_by(hits, path, "eu") if h.worker == "eu-b"]  # stopped cleanly: all of them
        assert unmatched(from_a + from_b, stamped) == [], f"{path}: checks the target saw are missing"


async def _adopted(sessions: Sessions) -> bool:
    return await journal_of(sessions, "eu-a") == (0, 0)
