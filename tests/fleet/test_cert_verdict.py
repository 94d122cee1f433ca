"""The fleet's verdict keeps the TLS certificate: when the quorum verdict is built from another location's stored
state (which keeps no details), the certificate this location just saw is carried into the verdict's details,
so the API, the pages, the badge and the metric still know it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import FleetLocation, FleetWorker, Resource, ResourceState
from kairos.fleet.recorder import FleetRecorder
from kairos.metrics import Metrics
from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from kairos.scheduler import catalog
from kairos.scheduler.recorder import Record
from kairos.scheduler.state import Transition

CERT: dict[str, Any] = {
    "notAfter": "2099-01-31T12:00:00Z",
    "issuer": "CN=Test CA",
    "subject": "CN=svc.example.test",
    "sans": ["svc.example.test"],
    "daysLeft": 9000,
    "fingerprint": "ab" * 32,
    "expiryDays": 14,
}


async def _setup(sessions: async_sessionmaker[AsyncSession], locations: list[str]) -> int:
    async with sessions() as s, s.begin():
        await s.execute(insert(FleetLocation), [{"name": loc, "up": True} for loc in locations])
        now = datetime.now(UTC)
        await s.execute(
            insert(FleetWorker),
            [{"id": f"w-{loc}", "location": loc, "started_at": now, "seen_at": now} for loc in locations],
        )
        stmt = insert(Resource).values(
            name="svc", kind="HTTP", target="https://127.0.0.1:9/", interval_s=10, quorum="all"
        )
        return int((await s.execute(stmt.returning(Resource.id))).scalar_one())


def _recorder(sessions: async_sessionmaker[AsyncSession], loc: str, resources: Any, types: Any) -> FleetRecorder:
    return FleetRecorder(
        sessions,
        "postgresql",
        owner=f"w-{loc}",
        location=loc,
        resources=lambda: resources,
        types=lambda: types,
        metrics=Metrics(),
    )


async def test_a_verdict_taken_from_another_location_keeps_this_locations_certificate(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    rid = await _setup(pg_sessions, ["eu", "us"])
    async with pg_sessions() as s:
        resources = await catalog.load_resources(s)
        types = await catalog.load_type_settings(s)
    types["HTTP"].outage_threshold = 1
    eu, us = (_recorder(pg_sessions, loc, resources, types) for loc in ("eu", "us"))
    at = datetime.fromtimestamp(time.time(), UTC)
    us.add(
        Record(
            rid,
            ProbeResult(Status.NOT_AVAILABLE, "refused", phases=Phases(total_ms=1.0), checked_at=at),
            {},
            Transition(),
            changed=False,
        )
    )
    await us.flush()
    # eu sees the server and its certificate; with "all", us's stored failure decides the verdict.
    seen = ProbeResult(
        Status.AVAILABLE, "ok", phases=Phases(total_ms=5.0), details={"certificate": dict(CERT)}, checked_at=at
    )
    eu.add(Record(rid, seen, {}, Transition(), changed=False))
    await eu.flush()
    async with pg_sessions() as s:
        status, details = (
            await s.execute(
                select(ResourceState.status, ResourceState.last_details).where(ResourceState.resource_id == rid)
            )
        ).one()
    assert status == "NOT_AVAILABLE"  # us's result is the verdict's base...
    assert details["certificate"]["fingerprint"] == CERT["fingerprint"]  # ...and eu's certificate is kept
    assert details["locations"] == {"eu": "AVAILABLE", "us": "NOT_AVAILABLE"}
