"""History for the resource and outage page tests, written straight to the database (long windows in
milliseconds): check results as the recorder's closed blocks with their rollups (kairos.history.writer), and
outages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from kairos.db.models import Outage
from kairos.history.writer import Writer, blocks_of
from kairos.probes.base import Phases, ProbeResult, Status
from kairos.scheduler.state import RuntimeState
from tests.api.support import create_resource
from tests.harness import Running


def ok(at: datetime, i: int) -> ProbeResult:
    total = 40.0 + (i % 7) * 5
    phases = Phases(dns_ms=2.0, connect_ms=5.0 + i % 3, tls_ms=12.0, ttfb_ms=total - 20, total_ms=total)
    return ProbeResult(Status.AVAILABLE, "HTTP 200 OK from http://secret.internal/", None, phases, 200, {}, at)


def down(at: datetime, i: int) -> ProbeResult:
    message = "connection refused to secret.internal:80"
    return ProbeResult(Status.NOT_AVAILABLE, message, "connect_refused", Phases(total_ms=3.0), None, {}, at)


async def add_group(kairos: Running, name: str, visibility: str) -> int:
    r = await kairos.client.post("/api/groups", json={"name": name, "visibility": visibility})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def add_resource(kairos: Running, name: str, *, group: int | None = None, **fields: Any) -> int:
    """An inactive resource (the scheduler leaves it alone, so only seeded history exists)."""
    extra: dict[str, Any] = {"groupIds": [group]} if group else {}
    target = fields.pop("target", "http://secret.internal/")
    created = await create_resource(kairos, target, name=name, active=False, **extra, **fields)
    return int(created["id"])


async def seed_checks(
    kairos: Running,
    rid: int,
    count: int,
    every: timedelta,
    make: Callable[[datetime, int], ProbeResult] = ok,
    end: datetime | None = None,
) -> list[ProbeResult]:
    """``count`` results ``every`` apart, the newest at ``end`` (default: now), with their rollups."""
    end = end or datetime.now(UTC)
    results = [make(end - every * (count - 1 - i), i) for i in range(count)]
    writer = Writer(kairos.runtime.engine.dialect.name)
    async with kairos.runtime.sessionmaker() as session, session.begin():
        # Rollups are upserted additively: a later call adds to what an earlier one wrote into the same bucket.
        await writer.write_blocks(session, blocks_of(rid, results))
    return results


def set_state(kairos: Running, rid: int, last: ProbeResult, **fields: Any) -> RuntimeState:
    """What the live board would hold after ``last`` (the page reads current status from it)."""
    state = RuntimeState(status=last.status, last=last, **fields)
    kairos.runtime.board.put(rid, state)
    return state


async def add_outage(
    kairos: Running, rid: int, start: datetime, end: datetime | None, code: str = "connect_refused"
) -> None:
    async with kairos.runtime.sessionmaker() as session:
        session.add(Outage(resource_id=rid, started_at=start, ended_at=end, error_code=code, message="refused"))
        await session.commit()


async def reload_uptime(kairos: Running) -> None:
    """The live board's uptime counters, recounted from the seeded rollups."""
    async with kairos.runtime.sessionmaker() as session:
        await kairos.runtime.board.uptime.load(session, datetime.now(UTC).timestamp())
