"""Acting on many resources at once: the console's selection and ``POST /api/resources/bulk``.

Every action is all-or-nothing: ids are checked first (an unknown id refuses the whole request, naming it), then
applied in one transaction; :func:`announce` then tells the scheduler what changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.tags import TagIn
from kairos.db.models import GroupMember, Resource, ResourceGroup
from kairos.errors import Invalid, NotFound
from kairos.scheduler.control import SchedulerControl
from kairos.services import tags
from kairos.services.resources import load_resource

Action = Literal["pause", "resume", "delete", "move", "add_to_group", "remove_from_group", "tag", "untag"]
GROUP_ACTIONS: frozenset[str] = frozenset({"move", "add_to_group", "remove_from_group"})
TAG_ACTIONS: frozenset[str] = frozenset({"tag", "untag"})
MAX_IDS = 1000  # ids sent in one request (the API, the console's selection)
MAX_MATCHING = 10_000  # resources one "all matching this filter" action may change (evaluated on the server)


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    changed: list[int]  # still exist, something about them changed (tell the scheduler)
    deleted: list[int]  # gone (tell the scheduler)
    names: list[str]  # of every resource acted on, in id order (for messages and the audit line)


async def _rows(session: AsyncSession, ids: Sequence[int], limit: int) -> list[Resource]:
    wanted = sorted(set(ids))
    if not wanted:
        raise Invalid("choose at least one resource", field="resourceIds")
    if len(wanted) > limit:
        raise Invalid(f"at most {limit:,} resources at once", field="resourceIds")
    rows = list((await session.execute(select(Resource).where(Resource.id.in_(wanted)))).scalars())
    missing = sorted(set(wanted) - {r.id for r in rows})
    if missing:
        raise NotFound(f"resource {missing[0]} not found", field="resourceIds")
    return sorted(rows, key=lambda r: r.id)


async def _group(session: AsyncSession, group_id: int | None) -> int:
    if group_id is None:
        raise Invalid("this action needs a group", field="groupId")
    if await session.get(ResourceGroup, group_id) is None:
        raise NotFound("group not found", field="groupId")
    return group_id


async def _next_order(session: AsyncSession, group_id: int) -> int:
    stmt = select(GroupMember.display_order).where(GroupMember.group_id == group_id)
    orders = list((await session.execute(stmt)).scalars())
    return max(orders, default=-1) + 1


async def _regroup(session: AsyncSession, rows: list[Resource], action: str, group_id: int) -> None:
    order = await _next_order(session, group_id)
    for row in rows:
        loaded = await load_resource(session, row.id)
        inside = any(m.group_id == group_id for m in loaded.memberships)
        if action == "remove_from_group":
            loaded.memberships[:] = [m for m in loaded.memberships if m.group_id != group_id]
            continue
        if action == "move":
            loaded.memberships[:] = [m for m in loaded.memberships if m.group_id == group_id]
        if not inside:
            loaded.memberships.append(GroupMember(group_id=group_id, display_order=order))
            order += 1


async def _retag(session: AsyncSession, rows: list[Resource], action: str, tag: TagIn | None) -> None:
    """``tag`` sets the tag's key to its value on each (a resource holds one value per key); ``untag`` takes
    exactly that key:value off where it is."""
    if tag is None:
        raise Invalid("this action needs a tag (key:value)", field="tag")
    for row in rows:
        await session.refresh(row, ["tags"])
        kept = [t for t in row.tags if t.key != tag.key] if action == "tag" else row.tags
        current = [{"key": t.key, "value": t.value} for t in kept if (t.key, t.value) != (tag.key, tag.value)]
        wanted = [TagIn.model_validate(t) for t in current] + ([tag] if action == "tag" else [])
        await tags.set_tags(session, row, wanted)


async def apply(
    session: AsyncSession,
    action: Action,
    ids: Sequence[int],
    group_id: int | None,
    tag: TagIn | None = None,
    limit: int = MAX_IDS,
) -> BulkOutcome:
    """``limit``: MAX_IDS for ids a client sent, MAX_MATCHING for the ids of a filter evaluated here."""
    rows = await _rows(session, ids, limit)
    names = [r.name for r in rows]
    row_ids = [r.id for r in rows]
    if action in GROUP_ACTIONS:
        await _regroup(session, rows, action, await _group(session, group_id))
    elif action in TAG_ACTIONS:
        await _retag(session, rows, action, tag)
    elif action == "delete":
        for row in rows:
            await session.delete(await load_resource(session, row.id))  # loaded as delete_resource does
    else:
        enabled = action == "resume"
        await session.execute(update(Resource).where(Resource.id.in_(row_ids)).values(enabled=enabled))
    await session.commit()
    if action == "delete":
        return BulkOutcome([], row_ids, names)
    return BulkOutcome(row_ids, [], names)


async def announce(scheduler: SchedulerControl, outcome: BulkOutcome) -> None:
    """After :func:`apply`: the scheduler drops deleted resources and reloads changed ones."""
    for rid in outcome.deleted:
        scheduler.resource_deleted(rid)
    for rid in outcome.changed:
        await scheduler.resource_changed(rid)
