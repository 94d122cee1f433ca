"""History for the resource and outage page tests, written straight to the database (long windows in
milliseconds): check results with the recorder's own row shapes, their 15-minute rollups, and outages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from kairos.db.models import CheckResult, Outage, Rollup1d, Rollup15m
from kairos.probes.base import Phases, ProbeResult, Status
from kairos.rollups.buckets import FIFTEEN_MIN, ONE_DAY, deltas_for
from kairos.scheduler.recorder import result_row
from kairos.scheduler.state import RuntimeState
from tests.api.support import create_resource
from tests.harness import Running

_SUMMED = (
    *("available", "not_available", "unknown", "latency_count", "latency_sum"),
    *("dns_count", "dns_sum", "connect_count", "connect_sum", "tls_count", "tls_sum"),
)


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
    rows = [result_row(rid, r) for r in results]
    items = [(rid, x) for x in results]
    rollups = {
        model: [d.as_row(r, b) for (r, b), d in deltas_for(items, size).items()]
        for model, size in ((Rollup15m, FIFTEEN_MIN), (Rollup1d, ONE_DAY))
    }
    async with kairos.runtime.sessionmaker() as session:
        for start in range(0, len(rows), 2000):
            await session.execute(insert(CheckResult), rows[start : start + 2000])
        for model, values in rollups.items():
            for value in values:  # added to what an earlier call of this helper wrote into the same bucket
                row = await session.get(model, (value["bucket"], value["resource_id"]))
                if row is None:
                    session.add(model(**value))
                    continue
                for name in _SUMMED:
                    setattr(row, name, getattr(row, name) + value[name])
        await session.commit()
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
