"""The live board is fed by "a result was recorded for resource R", not by the scheduler's internals.

With the scheduler off (nothing is checked), a result handed to ``runtime.board.record`` the way a feed from
the database will hand it (the fleet's web nodes) reaches every reader: the resource API, the status and uptime
API, the live stream and the metrics."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from kairos.scheduler.board import RuntimeState
from tests.api.support import create_resource
from tests.api.test_stream import _updates_until
from tests.harness import Running, make_settings, running_kairos


@pytest.fixture
async def idle(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    """Kairos with its scheduler off: only the board's feed changes what readers see."""
    async with running_kairos(make_settings(db_url, tmp_path, scheduler_enabled=False)) as running:
        yield running


def _refused(at: datetime) -> tuple[ProbeResult, RuntimeState]:
    result = ProbeResult(
        Status.NOT_AVAILABLE, "connection refused", "connect_refused", Phases(total_ms=12.5), checked_at=at
    )
    return result, RuntimeState(Status.NOT_AVAILABLE, fail_streak=3, streak_started_at=at, outage_since=at, last=result)


async def test_a_result_fed_to_the_board_reaches_the_api_the_stream_and_the_metrics(idle: Running) -> None:
    rid = (await create_resource(idle, "http://127.0.0.1:9/", name="fed"))["id"]
    before = (await idle.client.get(f"/api/resources/{rid}")).json()
    assert before["currentStatus"] == "unknown" and before["latestCheckedAt"] is None  # nothing checked it

    at = datetime.now(UTC).replace(microsecond=0)
    async with idle.anon.stream("GET", "/api/resources/stream") as response:
        idle.runtime.board.record(rid, *_refused(at))
        updates = await asyncio.wait_for(_updates_until(response, rid), 10)
    update = next(u for u in updates if u["resourceId"] == rid)
    # A refused connection measured no answer: the stream (the dashboard's data) sends no latency for it.
    assert update["status"] == "not-available" and update["latencyMs"] is None and update["failStreak"] == 0
    assert update["beats"] == "N"  # the heartbeat bar, fed by the same record

    body = (await idle.client.get(f"/api/resources/{rid}")).json()
    assert body["currentStatus"] == "not-available"
    assert body["latestErrorCode"] == "connect_refused" and body["latestLatencyMs"] == 12.5
    assert datetime.fromisoformat(body["activeOutageSince"].replace("Z", "+00:00")) == at
    uptime = (await idle.client.get(f"/api/resources/{rid}/uptime")).json()
    assert uptime["h24"] == 0.0
    metrics = (await idle.client.get("/actuator/prometheus")).text
    assert re.search(r'kairos_resource_status\{[^}]*resource_name="fed"[^}]*\} 0\.0', metrics)
    assert re.search(r'kairos_resource_outage_active\{[^}]*resource_name="fed"[^}]*\} 1\.0', metrics)


async def test_forgetting_a_resource_clears_its_state_and_counters(idle: Running) -> None:
    rid = (await create_resource(idle, "http://127.0.0.1:9/", name="gone"))["id"]
    idle.runtime.board.record(rid, *_refused(datetime.now(UTC)))
    idle.runtime.board.forget(rid)
    assert idle.runtime.board.state(rid) is None
    assert idle.runtime.board.uptime_of(rid) == {"h24": None, "d7": None, "d30": None}
