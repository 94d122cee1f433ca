"""The quorum verdict: the pure rule, and the recorder that applies it with the verdict row locked, so that
locations recording the same resource at the same moment open one outage, not one each."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.db.models import FleetLocation, FleetWorker, LocationState, Outage, Resource, ResourceState, Rollup15m
from kairos.fleet.quorum import check_policy, required, verdict
from kairos.fleet.recorder import DeclaredDead, FleetRecorder
from kairos.metrics import Metrics
from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from kairos.scheduler import catalog
from kairos.scheduler.recorder import Record
from kairos.scheduler.state import Transition

UP, DOWN, UNKNOWN = Status.AVAILABLE, Status.NOT_AVAILABLE, Status.UNKNOWN


@pytest.mark.parametrize(
    ("policy", "votes", "expected"),
    [
        ("majority", [UP, UP, DOWN], UP),
        ("majority", [UP, DOWN], DOWN),  # with two locations, majority means both
        ("any", [UP, DOWN, DOWN], UP),
        ("all", [UP, UP, DOWN], DOWN),
        ("2", [UP, UP, DOWN], UP),
        ("5", [UP, UP], UP),  # k is capped at the voters: a lost location does not turn it red
        ("all", [UP, UNKNOWN], UP),  # UNKNOWN does not vote
        ("majority", [UNKNOWN], UNKNOWN),
        ("any", [], UNKNOWN),
    ],
)
def test_quorum_rule(policy: str, votes: list[Status], expected: Status) -> None:
    assert verdict(policy, votes) is expected


@pytest.mark.parametrize(
    ("policy", "votes", "pending", "expected"),
    [
        ("majority", [DOWN], 2, UNKNOWN),  # the first location to report never decides alone
        ("majority", [UP, DOWN], 1, UNKNOWN),  # the third vote decides
        ("majority", [UP, UP], 1, UP),  # it can no longer change the outcome
        ("majority", [DOWN, DOWN], 1, DOWN),
        ("all", [DOWN], 2, DOWN),  # one failure already rules "all" out
        ("all", [UP, UP], 1, UNKNOWN),
        ("any", [UP], 5, UP),
    ],
)
def test_pending_locations_count_until_they_report(
    policy: str, votes: list[Status], pending: int, expected: Status
) -> None:
    assert verdict(policy, votes, pending) is expected


def test_policies_are_checked_and_canonical() -> None:
    assert check_policy(" Majority ") == "majority" and check_policy("03") == "3"
    assert required("majority", 3) == 2 and required("majority", 4) == 3
    for bad in ("most", "0", "65", "-1", ""):
        with pytest.raises(ValueError, match="quorum must be"):
            check_policy(bad)


async def _setup(sessions: async_sessionmaker[AsyncSession], locations: list[str], quorum: str) -> int:
    async with sessions() as s, s.begin():
        await s.execute(insert(FleetLocation), [{"name": loc, "up": True} for loc in locations])
        now = datetime.now(UTC)
        await s.execute(
            insert(FleetWorker),
            [{"id": f"w-{loc}", "location": loc, "started_at": now, "seen_at": now} for loc in locations],
        )
        return int(
            (
                await s.execute(
                    insert(Resource)
                    .values(name="svc", kind="HTTP", target="http://127.0.0.1:9/", interval_s=10, quorum=quorum)
                    .returning(Resource.id)
                )
            ).scalar_one()
        )


async def _recorders(sessions: async_sessionmaker[AsyncSession], locations: list[str]) -> list[FleetRecorder]:
    async with sessions() as s:
        resources = await catalog.load_resources(s)
        types = await catalog.load_type_settings(s)
    types["HTTP"].outage_threshold = 1
    return [
        FleetRecorder(
            sessions,
            "postgresql",
            owner=f"w-{loc}",
            location=loc,
            resources=lambda: resources,
            types=lambda: types,
            metrics=Metrics(),
        )
        for loc in locations
    ]


def _result(status: Status, at: float) -> ProbeResult:
    return ProbeResult(
        status,
        "ok" if status is UP else "refused",
        phases=Phases(total_ms=5.0),
        checked_at=datetime.fromtimestamp(at, UTC),
    )


async def _round(recorders: list[FleetRecorder], rid: int, statuses: list[Status], at: float) -> None:
    for rec, status in zip(recorders, statuses, strict=True):
        rec.add(Record(rid, _result(status, at), {}, Transition(), changed=False))
    await asyncio.gather(*(rec.flush() for rec in recorders))  # the same moment, concurrent transactions


async def _verdict(sessions: async_sessionmaker[AsyncSession], rid: int) -> tuple[str, int, dict[str, str]]:
    async with sessions() as s:
        status = (await s.execute(select(ResourceState.status).where(ResourceState.resource_id == rid))).scalar_one()
        outages = (
            await s.execute(select(func.count()).select_from(Outage).where(Outage.resource_id == rid))
        ).scalar_one()
        per = {loc: st for loc, st in await s.execute(select(LocationState.location, LocationState.status))}
    return status, int(outages), per


async def test_majority_of_three_stays_available_when_one_location_fails(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    locations = ["eu", "us", "ap"]
    rid = await _setup(pg_sessions, locations, "majority")
    recorders = await _recorders(pg_sessions, locations)
    now = time.time()
    for i in range(3):
        await _round(recorders, rid, [UP, UP, DOWN], now + i)
    assert await _verdict(pg_sessions, rid) == (
        "AVAILABLE",
        0,
        {"eu": "AVAILABLE", "us": "AVAILABLE", "ap": "NOT_AVAILABLE"},
    )


async def test_all_opens_exactly_one_outage_when_locations_record_together(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    locations = ["eu", "us", "ap"]
    rid = await _setup(pg_sessions, locations, "all")
    recorders = await _recorders(pg_sessions, locations)
    now = time.time()
    for i in range(5):
        await _round(recorders, rid, [DOWN, DOWN, UP], now + i)
    status, outages, _ = await _verdict(pg_sessions, rid)
    assert (status, outages) == ("NOT_AVAILABLE", 1)
    for i in range(5, 8):
        await _round(recorders, rid, [UP, UP, UP], now + i)
    async with pg_sessions() as s:
        ended = (await s.execute(select(Outage.ended_at).where(Outage.resource_id == rid))).scalars().all()
    assert len(ended) == 1 and ended[0] is not None


async def test_a_down_location_does_not_vote_and_rollups_count_the_verdict(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    locations = ["eu", "us"]
    rid = await _setup(pg_sessions, locations, "all")
    recorders = await _recorders(pg_sessions, locations)
    now = time.time()
    await _round(recorders[:1], rid, [UP], now)  # eu alone: us has not reported yet, so UNKNOWN
    await _round(recorders[1:], rid, [DOWN], now)  # eu UP, us DOWN: with "all", DOWN
    await _round(recorders[:1], rid, [UP], now + 1)  # us's failure is fresh: still DOWN
    assert (await _verdict(pg_sessions, rid))[0] == "NOT_AVAILABLE"
    async with pg_sessions() as s, s.begin():
        await s.execute(update(FleetLocation).where(FleetLocation.name == "us").values(up=False))
    await _round(recorders[:1], rid, [UP], now + 2)
    assert (await _verdict(pg_sessions, rid))[0] == "AVAILABLE"  # us is down: its failure no longer counts
    for rec in recorders:
        await rec.close_everything()
    async with pg_sessions() as s:
        row = (await s.execute(select(Rollup15m.available, Rollup15m.not_available, Rollup15m.unknown))).one()
    # One verdict sample per result: UNKNOWN, DOWN, DOWN, UP; the raw results would have counted 3 UP and 1 DOWN.
    assert tuple(row) == (1, 2, 1)


async def test_a_worker_taken_for_dead_stops_instead_of_writing_again(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    rid = await _setup(pg_sessions, ["eu"], "majority")
    [rec] = await _recorders(pg_sessions, ["eu"])
    await _round([rec], rid, [UP], time.time())
    async with pg_sessions() as s, s.begin():
        await s.execute(delete(FleetWorker))  # what the leader's adoption does to a silent worker
    with pytest.raises(DeclaredDead):
        await rec.close_everything()
    assert rec.dead.is_set()
