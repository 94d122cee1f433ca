"""The fleet's schedule: one ``check_schedule`` row per (location, resource) that location checks.

Workers claim due rows in batches with one statement that locks them (``FOR UPDATE SKIP LOCKED``, so workers of
one location never wait for each other nor take the same row) and moves ``due_at`` to the next slot in the same
statement: a worker that dies after claiming costs those resources one interval, and no lease needs rescuing.
Due times stay on each resource's fixed slot (kairos.scheduler.slots), whoever claims them. "Check now", a new
and an edited resource set ``asap_at`` instead, which is claimed at once without moving the slot.

Rows follow the resources: a worker syncs its location's rows at start and every minute (self-healing), and
whoever edits a resource syncs that resource's rows in every known location (``sync_resource``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import and_, delete, select, text, update
from sqlalchemy.dialects.postgresql import Insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kairos.db.models import CheckSchedule, FleetLocation
from kairos.scheduler.catalog import Scheduled, TypeSettings
from kairos.scheduler.slots import slots_of

T = TypeVar("T")

# One statement claims both kinds of rows: those asked for at once (asap_at set, first) and those due before the
# horizon. The rows are locked and rows another worker holds are skipped; the due time of a claimed row moves to
# its next slot (or stays, for an asap row not yet due), and asap_at is cleared, in the same statement.
_CLAIM = text(
    """
    WITH picked AS (
        SELECT resource_id, due_at, asap_at FROM check_schedule
        WHERE location = :location AND (asap_at IS NOT NULL OR due_at <= :horizon)
        ORDER BY asap_at IS NULL, due_at LIMIT :limit
        FOR UPDATE SKIP LOCKED
    )
    UPDATE check_schedule AS s
    SET due_at = CASE WHEN s.due_at <= :horizon
                      THEN s.due_at + s.interval_s * GREATEST(1, CEIL((:now - s.due_at) / s.interval_s))
                      ELSE s.due_at END,
        asap_at = NULL
    FROM picked
    WHERE s.location = :location AND s.resource_id = picked.resource_id
    RETURNING s.resource_id, picked.due_at, picked.asap_at IS NOT NULL
    """
)


@dataclass(frozen=True, slots=True)
class Claimed:
    resource_id: int
    due: float  # the slot it was due at (or now, for a check asked for at once)
    asap: bool = False  # asked for at once: a new or edited resource, or "check now"


async def claim(
    conn: AsyncSession | AsyncConnection, location: str, now: float, horizon: float, limit: int
) -> list[Claimed]:
    """Take up to ``limit`` checks of ``location``: asked-for-now ones first (due now), then those due before
    ``horizon``. One statement, so an autocommit connection claims without a transaction round trip."""
    params = {"location": location, "now": now, "horizon": horizon, "limit": limit}
    rows = await conn.execute(_CLAIM, params)
    return [Claimed(int(rid), now if asap else float(due), asap=bool(asap)) for rid, due, asap in rows]


def wanted_in(res: Scheduled, location: str) -> bool:
    """Whether ``location`` checks ``res``: enabled, and either naming no locations or naming this one."""
    return res.enabled and (res.locations is None or location in res.locations)


def interval_of(res: Scheduled, types: Mapping[str, TypeSettings]) -> float:
    return float(res.interval_s or types[res.kind].interval_s)


async def sync_location(
    session: AsyncSession,
    location: str,
    resources: Mapping[int, Scheduled],
    types: Mapping[str, TypeSettings],
    now: float,
) -> tuple[int, int, int]:
    """Make ``location``'s rows match the resources it checks; returns (added, removed, re-timed).

    A resource new to the location is due at its next slot (a location joining the fleet spreads its first
    checks over an interval instead of firing them all at once); one whose interval changed moves to the new
    slot grid."""
    wanted = {rid: interval_of(res, types) for rid, res in resources.items() if wanted_in(res, location)}
    found = await session.execute(
        select(CheckSchedule.resource_id, CheckSchedule.interval_s).where(CheckSchedule.location == location)
    )
    stored: dict[int, float] = {rid: iv for rid, iv in found}
    gone = [rid for rid in stored if rid not in wanted]
    for chunk in _chunks(gone):
        await session.execute(
            delete(CheckSchedule).where(and_(CheckSchedule.location == location, CheckSchedule.resource_id.in_(chunk)))
        )
    new: list[dict[str, Any]] = [
        {"location": location, "resource_id": rid, "interval_s": iv, "due_at": slots_of(rid, iv).at_or_after(now)}
        for rid, iv in wanted.items()
        if rid not in stored
    ]
    for rows in _chunks(new):
        await session.execute(_insert_ignore(), rows)
    retimed = [(rid, iv) for rid, iv in wanted.items() if rid in stored and stored[rid] != iv]
    for rid, iv in retimed:
        await session.execute(
            update(CheckSchedule)
            .where(and_(CheckSchedule.location == location, CheckSchedule.resource_id == rid))
            .values(interval_s=iv, due_at=slots_of(rid, iv).at_or_after(now))
        )
    return len(new), len(gone), len(retimed)


async def sync_resource(
    session: AsyncSession,
    resource_id: int,
    res: Scheduled | None,
    types: Mapping[str, TypeSettings],
    now: float,
) -> None:
    """After ``res`` was created, edited or deleted (None): its rows in every known location, checked at once."""
    locations = await known_locations(session)
    keep = [loc for loc in locations if res is not None and wanted_in(res, loc)]
    await session.execute(
        delete(CheckSchedule).where(and_(CheckSchedule.resource_id == resource_id, CheckSchedule.location.not_in(keep)))
    )
    if res is None or not keep:
        return
    iv = interval_of(res, types)
    due = slots_of(resource_id, iv).at_or_after(now)
    rows = [
        {"location": loc, "resource_id": resource_id, "interval_s": iv, "due_at": due, "asap_at": now} for loc in keep
    ]
    stmt = _upsert().on_conflict_do_update(
        index_elements=["location", "resource_id"],
        set_={"interval_s": iv, "asap_at": now, "due_at": due},
    )
    await session.execute(stmt, rows)


async def check_now(session: AsyncSession, resource_id: int, now: float) -> int:
    """Ask every location that checks the resource to check it at once; returns how many will."""
    result = await session.execute(
        update(CheckSchedule).where(CheckSchedule.resource_id == resource_id).values(asap_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def known_locations(session: AsyncSession) -> list[str]:
    return list((await session.execute(select(FleetLocation.name).order_by(FleetLocation.name))).scalars())


def _chunks(items: Collection[T], size: int = 1000) -> list[list[T]]:
    seq = list(items)
    return [seq[i : i + size] for i in range(0, len(seq), size)]


def _upsert() -> Insert:
    return pg_insert(CheckSchedule)  # the fleet runs on PostgreSQL only


def _insert_ignore() -> Insert:
    return _upsert().on_conflict_do_nothing(index_elements=["location", "resource_id"])
