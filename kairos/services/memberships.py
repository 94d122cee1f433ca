"""Which groups each resource is in, by name, for every resource at once (the metrics' per-group counts)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import GroupMember, ResourceGroup


async def group_names_by_resource(session: AsyncSession) -> dict[int, tuple[str, ...]]:
    """Resource id → the names of its groups, whatever their visibility (the caller decides what to show);
    a resource in no group is left out. One query."""
    stmt = select(GroupMember.resource_id, ResourceGroup.name).join(
        ResourceGroup, ResourceGroup.id == GroupMember.group_id
    )
    out: dict[int, tuple[str, ...]] = {}
    for rid, name in (await session.execute(stmt)).all():
        out[rid] = (*out.get(rid, ()), name)
    return out


async def group_names(session: AsyncSession) -> list[str]:
    """Every group's name (groups without members too: their counts are zeros, not missing)."""
    return list((await session.execute(select(ResourceGroup.name))).scalars())
