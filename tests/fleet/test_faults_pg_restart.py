"""PostgreSQL restarted (``pg_ctl restart -m fast``) while two workers and a web node run on it: they reconnect
by themselves, checks go on, the web node's API follows again, and nothing recorded before the restart is lost
(the target's log against the history, minus the flush that may have been in flight).

The test starts a cluster of its own (tests/servers/pg_start.sh) so that restarting it disturbs nobody else."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from kairos.db.engine import make_engine, make_sessionmaker
from kairos.db.migrate import upgrade_to_head
from tests.dbs import postgres_base
from tests.fleet.procs import (
    FLUSH_S,
    Cluster,
    Fleet,
    Sessions,
    Target,
    add_http,
    admin_key,
    checks_by,
    cluster,
    health,
    history,
    timestamps,
    unmatched,
    until,
    until_up,
)

INTERVAL_S = 5


@pytest.fixture
def own_cluster() -> Iterator[Cluster]:
    if not postgres_base():
        pytest.skip("the fleet needs PostgreSQL (set KAIROS_TEST_DATABASE_URL)")
    with cluster() as c:
        upgrade_to_head(c.url)
        yield c


@pytest.fixture
async def sessions(own_cluster: Cluster) -> AsyncIterator[Sessions]:
    engine = make_engine(own_cluster.url)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def fleet(own_cluster: Cluster, tmp_path: Path) -> Iterator[Fleet]:
    f = Fleet(own_cluster.url, tmp_path, heartbeat_s=1.0)
    yield f
    f.close()


async def test_workers_and_a_web_node_ride_out_a_postgresql_restart_and_lose_nothing_recorded(
    own_cluster: Cluster, sessions: Sessions, fleet: Fleet, target: Target
) -> None:
    paths = await add_http(sessions, target, 8, interval_s=INTERVAL_S)
    key = await admin_key(sessions)
    web, a, b = fleet.web("web"), fleet.worker("eu", "eu-a"), fleet.worker("eu", "eu-b")
    await until_up(fleet, web, a, b)
    await until(fleet, lambda: _checked_since(target, paths, 0.0, times=2), 30, "two rounds of checks")

    restart_at = time.time()
    await asyncio.to_thread(own_cluster.restart)
    restarted_at = time.time()

    await until_up(fleet, web, a, b, timeout=60)  # whatever they reported meanwhile, all UP again
    web_health = await health(web)
    assert web_health is not None and web_health["components"]["listener"]["status"] == "UP"
    await until(fleet, lambda: _checked_since(target, paths, restarted_at, times=2), 30, "checks going on")
    # Results recorded after the restart reach the web node (its LISTEN connection came back, or its resync).
    async with httpx.AsyncClient(base_url=web.url, headers={"Authorization": f"Bearer {key}"}, timeout=10) as api:
        await until(fleet, lambda: _api_follows(api, paths, restarted_at), 30, "the web node's API following")

    assert a.stop() == 0 and b.stop() == 0, fleet.logs()  # a clean stop writes what they still held
    hits = await target.hits()
    results = await history(sessions)
    lost: list[float] = []
    for rid, path in paths.items():
        stamped = timestamps(results, rid, "eu")
        assert len(stamped) == len(set(stamped)), f"{path}: a check recorded twice"
        missing = unmatched(checks_by(hits, path, "eu"), stamped)
        # Only a flush in flight when the server went away may be lost: checks of its last flush interval.
        assert all(restart_at - FLUSH_S - 0.5 <= m.t <= restarted_at for m in missing), (path, missing, restart_at)
        lost.extend(m.t for m in missing)
    print(f"PostgreSQL restart took {restarted_at - restart_at:.1f} s; checks not in the history: {len(lost)}")


async def _checked_since(target: Target, paths: dict[int, str], since: float, times: int) -> bool:
    hits = [h for h in await target.hits() if h.t > since]
    return all(len(checks_by(hits, p, "eu")) >= times for p in paths.values())


async def _api_follows(api: httpx.AsyncClient, paths: dict[int, str], since: float) -> bool:
    for rid in paths:
        detail = (await api.get(f"/api/resources/{rid}")).json()
        at = detail.get("latestCheckedAt")
        if at is None or datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() <= since:
            return False
    return True
