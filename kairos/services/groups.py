"""Groups: the groups resources are shown in, their visibility, and the order of both.

Order is stored as ``ResourceGroup.display_order`` (groups) and ``GroupMember.display_order`` (a resource's
place in one group; a resource in several groups has a place in each). The order functions write 0, 1, 2, …
in the order given, and the dashboard reads exactly these columns. Who may call is the adapter's business;
what a caller may see is passed in as its visibility level (kairos.access.visibility.caller_level)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import ADMIN, GROUP_LEVEL, level_sees
from kairos.api.schemas.groups import GroupCreate, GroupMemberPublic, GroupUpdate
from kairos.db.models import GroupMember, Resource, ResourceGroup
from kairos.errors import Conflict, Invalid, NotFound
from kairos.naming import natural_key
from kairos.services.rows import get_or_not_found


async def _name_taken(session: AsyncSession, name: str, but: int | None = None) -> None:
    stmt = select(func.count()).select_from(ResourceGroup).where(func.lower(ResourceGroup.name) == name.lower())
    if but is not None:
        stmt = stmt.where(ResourceGroup.id != but)
    if (await session.execute(stmt)).scalar_one():
        raise Conflict(f"a group named '{name}' exists already", field="name")


def _no_repeats(ids: Sequence[int], field: str, what: str) -> None:
    seen: set[int] = set()
    for i, value in enumerate(ids):
        if value in seen:
            raise Invalid(f"{field}[{i}]: {what} {value} is listed more than once", field=f"{field}[{i}]")
        seen.add(value)


def _all_known(ids: Sequence[int], known: set[int], field: str, what: str) -> None:
    for i, value in enumerate(ids):
        if value not in known:
            raise Invalid(f"{field}[{i}]: {what} {value} does not exist", field=f"{field}[{i}]")


async def list_groups(session: AsyncSession, level: int) -> list[ResourceGroup]:
    """The groups a caller of ``level`` may see, by ``display_order``, then name (natural order), then id."""
    stmt = select(ResourceGroup).order_by(ResourceGroup.display_order, ResourceGroup.name_key, ResourceGroup.id)
    if level < ADMIN:
        stmt = stmt.where(ResourceGroup.visibility.in_([v for v, needed in GROUP_LEVEL.items() if needed <= level]))
    return list((await session.execute(stmt)).scalars())


async def create_group(session: AsyncSession, body: GroupCreate) -> ResourceGroup:
    """Names are unique (case-insensitive); without an order the group comes after the last one."""
    await _name_taken(session, body.name)
    order = body.display_order
    if order is None:
        last = (await session.execute(select(func.max(ResourceGroup.display_order)))).scalar()
        order = 0 if last is None else last + 1
    row = ResourceGroup(name=body.name, visibility=body.visibility, display_order=order)
    session.add(row)
    await session.commit()
    return row


async def order_groups(session: AsyncSession, ids: Sequence[int]) -> list[ResourceGroup]:
    """``ids`` must list every group exactly once; a missing, repeated or unknown id is ``Invalid``."""
    _no_repeats(ids, "groupIds", "group")
    rows = {g.id: g for g in (await session.execute(select(ResourceGroup))).scalars()}
    _all_known(ids, set(rows), "groupIds", "group")
    missing = sorted(set(rows) - set(ids))
    if missing:
        listed = ", ".join(str(m) for m in missing[:10]) + (", …" if len(missing) > 10 else "")
        raise Invalid(f"groupIds must list every group exactly once; missing: {listed}", field="groupIds")
    for position, group_id in enumerate(ids):
        rows[group_id].display_order = position
    await session.commit()
    return [rows[i] for i in ids]


async def update_group(session: AsyncSession, group_id: int, body: GroupUpdate) -> ResourceGroup:
    """Fields left out keep their value."""
    row = await get_or_not_found(session, ResourceGroup, group_id, "group")
    if body.name is not None:
        await _name_taken(session, body.name, but=row.id)
        row.name = body.name
    if body.visibility is not None:
        row.visibility = body.visibility
    if body.display_order is not None:
        row.display_order = body.display_order
    await session.commit()
    return row


async def delete_group(session: AsyncSession, group_id: int) -> None:
    """Its resources stay; they only leave the group."""
    await session.delete(await get_or_not_found(session, ResourceGroup, group_id, "group"))
    await session.commit()


async def member_ids(session: AsyncSession, group_id: int) -> list[int]:
    """The group's resources' ids, whoever may see them (the caller decides what to show)."""
    stmt = select(GroupMember.resource_id).where(GroupMember.group_id == group_id)
    return list((await session.execute(stmt)).scalars())


async def members(session: AsyncSession, group_id: int, level: int) -> list[GroupMemberPublic]:
    """The group's resources in their order in this group; a group the caller may not see is not found."""
    group = await get_or_not_found(session, ResourceGroup, group_id, "group")
    if not level_sees(level, group.visibility):
        raise NotFound.of("group")
    return await _members(session, group_id)


async def order_members(session: AsyncSession, group_id: int, ids: Sequence[int]) -> list[GroupMemberPublic]:
    """``ids`` becomes the group's exact membership, in this order; a repeated or unknown id is ``Invalid``."""
    await get_or_not_found(session, ResourceGroup, group_id, "group")
    _no_repeats(ids, "resourceIds", "resource")
    known = set((await session.execute(select(Resource.id).where(Resource.id.in_(ids)))).scalars()) if ids else set()
    _all_known(ids, known, "resourceIds", "resource")
    await _replace_members(session, group_id, ids)
    await session.commit()
    return await _members(session, group_id)


async def _members(session: AsyncSession, group_id: int) -> list[GroupMemberPublic]:
    stmt = (
        select(Resource.id, Resource.name, Resource.kind, Resource.enabled, GroupMember.display_order)
        .join(GroupMember, GroupMember.resource_id == Resource.id)
        .where(GroupMember.group_id == group_id)
        .order_by(GroupMember.display_order, Resource.name_key, Resource.id)
    )
    return [
        GroupMemberPublic(id=r.id, name=r.name, resource_type=r.kind, active=r.enabled, display_order=r.display_order)
        for r in await session.execute(stmt)
    ]


async def _replace_members(session: AsyncSession, group_id: int, ids: Sequence[int]) -> None:
    # Rows are updated in place (not deleted and re-inserted) so unchanged members keep their primary key row.
    current = {
        m.resource_id: m
        for m in (await session.execute(select(GroupMember).where(GroupMember.group_id == group_id))).scalars()
    }
    gone = set(current) - set(ids)
    if gone:
        await session.execute(
            delete(GroupMember).where(GroupMember.group_id == group_id, GroupMember.resource_id.in_(gone))
        )
    for position, resource_id in enumerate(ids):
        member = current.get(resource_id)
        if member is None:
            session.add(GroupMember(group_id=group_id, resource_id=resource_id, display_order=position))
        else:
            member.display_order = position


async def board(session: AsyncSession) -> dict[str, Any]:
    """The console's ordering board: groups in order with their members in order, every resource, and those
    in no group."""
    groups = list(
        (
            await session.execute(
                select(ResourceGroup).order_by(ResourceGroup.display_order, ResourceGroup.name_key, ResourceGroup.id)
            )
        ).scalars()
    )
    columns = select(Resource.id, Resource.name, Resource.kind, Resource.enabled, Resource.display_order)
    resources = (await session.execute(columns.order_by(Resource.display_order, Resource.name_key, Resource.id))).all()
    names = {r.id: natural_key(r.name) for r in resources}
    # The dashboard's order: a member's place in the group, then its name (ties before any reordering).
    placed = sorted(
        (await session.execute(select(GroupMember.group_id, GroupMember.display_order, GroupMember.resource_id))).all(),
        key=lambda m: (m.group_id, m.display_order, names.get(m.resource_id, ""), m.resource_id),
    )
    members: dict[int, list[int]] = {g.id: [] for g in groups}
    for group_id, _order, resource_id in placed:
        members.setdefault(group_id, []).append(resource_id)
    grouped = {rid for ids in members.values() for rid in ids}
    state = {
        "groups": [{"id": g.id, "name": g.name, "visibility": g.visibility, "members": members[g.id]} for g in groups],
        "resources": {str(r.id): {"name": r.name, "kind": r.kind, "active": r.enabled} for r in resources},
        "order": [r.id for r in resources],
    }
    return {
        "groups": groups,
        "members": members,
        "names": names,
        "ungrouped": [r.id for r in resources if r.id not in grouped],
        "state": state,
    }
