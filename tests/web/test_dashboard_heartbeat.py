"""The heartbeat (each resource's last checks), first-failure visibility and the empty board, over HTTP and
against the live board's public functions with a real database."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from kairos.db.models import ResultBlock
from kairos.history.writer import block_row, blocks_of
from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from kairos.scheduler.recent import DEFAULT_SIZE, RecentChecks
from tests.api.loopback import closed_port
from tests.api.support import assert_error, wait_for_history
from tests.harness import Running
from tests.web.pages import admin_browser
from tests.web.test_dashboard import group, resource

__all__ = ["admin_browser", "closed_port"]  # fixtures


def result(at: datetime, status: Status = Status.AVAILABLE, latency: float | None = 12.5) -> ProbeResult:
    code = None if status is Status.AVAILABLE else "connect_refused"
    return ProbeResult(status=status, message="m", error_code=code, phases=Phases(total_ms=latency), checked_at=at)


async def failing_tcp(kairos: Running, port: int, **fields: object) -> int:
    rid = await resource(kairos, "db", target=f"127.0.0.1:{port}")
    body = {"name": "db", "resourceType": "TCP", "target": f"127.0.0.1:{port}", **fields}
    assert (await kairos.client.put(f"/api/resources/{rid}", json=body)).status_code == 200
    return rid


async def test_recent_lists_each_check_with_a_public_message_and_no_latency_for_a_refused_connect(
    kairos: Running, closed_port: int
) -> None:
    rid = await failing_tcp(kairos, closed_port)
    for _ in range(2):
        await kairos.runtime.scheduler.check_now(rid)
    body = (await kairos.anon.get(f"/api/resources/{rid}/recent")).json()
    assert body["resourceId"] == rid and body["capacity"] == DEFAULT_SIZE
    assert [c["status"] for c in body["checks"]] == ["not-available", "not-available"]
    first = body["checks"][0]
    assert first["latencyMs"] is None  # refused: nothing was measured, the page shows a dash
    assert first["message"].startswith("Not available") and str(closed_port) not in first["message"]
    assert body["failing"] == {"streak": 2, "threshold": 3}
    # The third failure opens the outage: no longer "failing, n of 3" but down.
    await kairos.runtime.scheduler.check_now(rid)
    body = (await kairos.anon.get(f"/api/resources/{rid}/recent")).json()
    assert len(body["checks"]) == 3 and body["failing"] is None


async def test_failing_uses_the_resources_own_threshold_on_the_page_and_in_the_api(
    kairos: Running, closed_port: int
) -> None:
    rid = await failing_tcp(kairos, closed_port, outageThreshold=5)
    await kairos.runtime.scheduler.check_now(rid)
    assert (await kairos.anon.get(f"/api/resources/{rid}/recent")).json()["failing"] == {"streak": 1, "threshold": 5}
    html = (await kairos.anon.get("/")).text
    assert ">failing, 1 of 5</span>" in html and 'data-fs="1"' in html
    assert '<span class="l">\u2013</span>' in html  # LATENCY of a refused connection: a dash, not "0 ms"


async def test_recent_of_a_hidden_or_unknown_resource_is_a_404_for_visitors(kairos: Running) -> None:
    ops = await group(kairos, "Ops", visibility="HIDDEN")
    secret = await resource(kairos, "secret", [ops])
    assert_error(await kairos.anon.get(f"/api/resources/{secret}/recent"), 404, "not_found")
    assert (await kairos.client.get(f"/api/resources/{secret}/recent")).status_code == 200  # an admin key
    assert_error(await kairos.anon.get("/api/resources/999999/recent"), 404, "not_found")
    assert (await kairos.anon.get("/api/resources/abc/recent")).status_code == 422


def test_the_ring_keeps_the_last_checks_once_each_and_forgets() -> None:
    recent = RecentChecks(50)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for i in range(70):
        status = Status.NOT_AVAILABLE if i % 10 == 0 else Status.MAINTENANCE if i == 69 else Status.AVAILABLE
        recent.add(7, result(start + timedelta(seconds=30 * i), status))
    recent.add(7, result(start + timedelta(seconds=30 * 69)))  # the same check handed over again: ignored
    beats = recent.beats(7)
    assert len(beats) == 50 and beats[0].checked_at == start + timedelta(seconds=30 * 20)
    assert beats[-1].status is Status.MAINTENANCE and beats[0].error_code == "connect_refused"
    assert beats[1].latency_ms == 12.5 and beats[1].error_code is None
    assert beats[0].latency_ms is None  # a refused connect measured no answer
    assert recent.letters(7) == "N" + "A" * 9 + "N" + "A" * 9 + "N" + "A" * 9 + "N" + "A" * 9 + "N" + "A" * 8 + "M"
    recent.forget(7)
    assert recent.beats(7) == [] and recent.letters(7) == ""


def test_a_ring_size_outside_50_to_100_is_refused() -> None:
    for size in (49, 101):
        try:
            RecentChecks(size)
        except ValueError as exc:
            assert "50 to 100" in str(exc)
        else:
            raise AssertionError(f"size {size} was accepted")


def test_a_resources_ring_stays_under_a_kilobyte() -> None:
    """The heartbeat of 10,000 resources must not cost the process tens of megabytes."""
    recent = RecentChecks()
    start = datetime(2026, 12, 1, tzinfo=UTC)
    checks = [result(start + timedelta(seconds=i), latency=float(i)) for i in range(DEFAULT_SIZE + 5)]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for rid in range(1000):
        for r in checks:
            recent.add(rid, r)
    per_resource = (tracemalloc.get_traced_memory()[0] - before) / 1000
    tracemalloc.stop()
    assert per_resource < 1200, per_resource  # ~1.15 KB: 60 x 15 bytes, the bytearray and its dict entry


async def test_the_seed_reads_each_resources_newest_checks_from_closed_blocks_and_the_journal(
    kairos: Running, closed_port: int
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    busy = [result(now - timedelta(hours=10) + timedelta(minutes=2 * i)) for i in range(200)]
    busy[-1] = result(busy[-1].checked_at, Status.NOT_AVAILABLE, None)
    old = [result(now - timedelta(days=3) + timedelta(minutes=i)) for i in range(10)]  # beyond the day read
    rows = [block_row(rid, bucket, b) for rid, results in ((101, busy), (102, old)) for (_, bucket), b in
            blocks_of(rid, results).items()]  # fmt: skip
    async with kairos.runtime.sessionmaker() as session:
        await session.execute(insert(ResultBlock), rows)
        await session.commit()
    live = await failing_tcp(kairos, closed_port)
    await kairos.runtime.scheduler.check_now(live)  # journaled, in no closed block yet
    await wait_for_history(kairos, live)  # written to the journal
    recent = RecentChecks()
    async with kairos.runtime.sessionmaker() as session:
        await recent.load(session, now.timestamp())
    seeded = recent.beats(101)
    assert [b.at for b in seeded] == [r.checked_at.timestamp() for r in busy[-DEFAULT_SIZE:]]
    assert seeded[-1].status is Status.NOT_AVAILABLE and seeded[-1].latency_ms is None
    assert recent.beats(102) == []
    assert recent.letters(live) == "N"
