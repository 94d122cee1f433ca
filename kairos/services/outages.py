"""Outages, newest first: all of them or one resource's, open or closed, without the ones a caller may not
see (the adapter passes the visibility rule's ``hidden_query``); and an admin's deletion of a closed one, with
its audit line on the ``kairos.audit`` logger."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Outage, Resource
from kairos.errors import Conflict, NotFound

audit = logging.getLogger("kairos.audit")


def _iso(at: datetime | None) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z") if at else "-"


async def list_outages(
    session: AsyncSession,
    hidden: Select[int] | None,
    *,
    resource_id: int | None = None,
    active: bool | None = None,
    limit: int = 100,
) -> list[tuple[Outage, str, str]]:
    """(outage, resource name, resource kind) rows."""
    stmt = select(Outage, Resource.name, Resource.kind).join(Resource, Resource.id == Outage.resource_id)
    if hidden is not None:
        stmt = stmt.where(Outage.resource_id.not_in(hidden))
    if resource_id is not None:
        stmt = stmt.where(Outage.resource_id == resource_id)
    if active is not None:
        stmt = stmt.where(Outage.ended_at.is_(None) if active else Outage.ended_at.is_not(None))
    stmt = stmt.order_by(Outage.started_at.desc(), Outage.id.desc()).limit(limit)
    return [(o, name, kind) for o, name, kind in (await session.execute(stmt)).all()]


class Actor(Protocol):
    """Who asks (the adapter's caller): enough to name them in the audit line."""

    @property
    def kind(self) -> str: ...
    @property
    def user_id(self) -> int | None: ...
    @property
    def key_id(self) -> int | None: ...
    @property
    def email(self) -> str | None: ...


def actor_name(actor: Actor) -> str:
    if actor.kind == "api_key":
        return f"API key {actor.key_id}" + (f" of user {actor.user_id}" if actor.user_id else "")
    return f"user {actor.user_id} <{actor.email}>"


async def find_outage(session: AsyncSession, outage_id: int, hidden: Select[int] | None) -> tuple[Outage, str]:
    """(outage, resource name); NotFound when there is none or its resource is hidden from the caller."""
    stmt = select(Outage, Resource.name).join(Resource, Resource.id == Outage.resource_id)
    stmt = stmt.where(Outage.id == outage_id)
    if hidden is not None:
        stmt = stmt.where(Outage.resource_id.not_in(hidden))
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound.of("outage")
    return row[0], row[1]


@dataclass(frozen=True)
class DeletedOutage:
    id: int
    resource_id: int
    resource_name: str


async def delete_outage(
    session: AsyncSession, outage_id: int, hidden: Select[int] | None, actor: Actor
) -> DeletedOutage:
    """Deletes a closed outage and writes the audit line.

    An open outage is refused (409 ``outage_active``): the engine holds it as the resource's state (the live
    board's "down since", the fleet's resource_state, the reminders and the recovery notification all name it),
    so deleting the row would leave a resource "down since" an outage nobody can see, and the recovery would
    then close nothing. It ends by recovery, or with its resource. Uptime is computed from check results, not
    from outages: deleting one changes the outage list and its notifications' history, never a percentage."""
    outage, name = await find_outage(session, outage_id, hidden)
    if outage.ended_at is None:
        raise Conflict(
            "this outage is still active: it ends when the resource recovers (or delete the resource)",
            code="outage_active",
        )
    # Closed outages never reopen (a new failure streak is a new row), so the guard only loses to another delete.
    span = f"{_iso(outage.started_at)} to {_iso(outage.ended_at)}"
    gone = await session.execute(delete(Outage).where(Outage.id == outage_id, Outage.ended_at.is_not(None)))
    if not getattr(gone, "rowcount", 0):
        await session.rollback()
        raise NotFound.of("outage")
    await session.commit()
    audit.info(
        "outage %d of resource %d %r (%s) deleted by %s", outage_id, outage.resource_id, name, span, actor_name(actor)
    )
    return DeletedOutage(outage_id, outage.resource_id, name)
