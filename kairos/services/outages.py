"""Outages, newest first: all of them or one resource's, open or closed, without the ones a caller may not
see (the adapter passes the visibility rule's ``hidden_query``)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Outage, Resource


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
