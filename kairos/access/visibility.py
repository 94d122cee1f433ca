"""Group visibility: the one place that decides who may see which group and which resource.

Every group is PUBLIC, AUTHENTICATED or HIDDEN, and every caller has a level:

- anonymous callers: 0, they see PUBLIC;
- any signed-in user and any API key with STATUS_READ: 1, they also see AUTHENTICATED;
- admins (ADMIN users, keys with ADMIN or RESOURCE_MANAGE): 2, they see everything, HIDDEN too.

A key with neither scope (CHECK_EXECUTE only, say) sees what anonymous visitors see.

A group is listed to callers whose level reaches the group's. A resource takes the MOST permissive of its
groups (the lowest level), and a resource in no group is public. So a resource is visible exactly when at
least one of its groups is visible, or it has none: lists built from "visible groups plus ungrouped
resources" and lists built from :func:`hidden_ids` always agree.

The API, the pages, badges, embeds and the live stream all ask here (docs/access.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.auth.scopes import Scope
from kairos.db.models import GroupMember, ResourceGroup

if TYPE_CHECKING:  # kairos.api imports this module through its routes
    from kairos.api.deps import Caller
    from kairos.db.models import Resource

ANONYMOUS, SIGNED_IN, ADMIN = 0, 1, 2
GROUP_LEVEL = {"PUBLIC": ANONYMOUS, "AUTHENTICATED": SIGNED_IN, "HIDDEN": ADMIN}


def caller_level(caller: Caller) -> int:
    """Scopes decide for keys: managing resources means seeing all of them, STATUS_READ reads what sign-in
    shows, and a key with neither (say, CHECK_EXECUTE only) sees what anonymous visitors see."""
    if caller.has(Scope.ADMIN) or caller.has(Scope.RESOURCE_MANAGE):
        return ADMIN
    return SIGNED_IN if caller.has(Scope.STATUS_READ) else ANONYMOUS


def group_level(visibility: str) -> int:
    # A value outside the three (a hand-edited row) is treated as the most restrictive: fail closed.
    return GROUP_LEVEL.get(visibility, ADMIN)


def resource_level(group_visibilities: Iterable[str]) -> int:
    """The most permissive of the groups' levels; a resource in no group is public."""
    return min((group_level(v) for v in group_visibilities), default=ANONYMOUS)


def level_sees(level: int, visibility: str) -> bool:
    """Whether a caller of ``level`` (see :func:`caller_level`) may see a group of ``visibility``."""
    return group_level(visibility) <= level


def can_see_group(caller: Caller, visibility: str) -> bool:
    return level_sees(caller_level(caller), visibility)


def can_see_resource(caller: Caller, row: Resource) -> bool:
    """``row.memberships`` must be loaded (the relationship is selectin-loaded with its groups)."""
    return resource_level(m.group.visibility for m in row.memberships) <= caller_level(caller)


def visible_group_kinds(caller: Caller) -> list[str]:
    """The visibilities of the groups this caller may see, for a ``visibility IN (…)`` filter."""
    level = caller_level(caller)
    return [name for name, needed in GROUP_LEVEL.items() if needed <= level]


def hidden_query(caller: Caller) -> Select[int] | None:
    """Ids of the resources this caller may not see, as a subquery to filter by (``not_in``); None for admins,
    who see everything. One grouped scan of the membership table, never a query per resource."""
    level = caller_level(caller)
    if level >= ADMIN:
        return None
    visibility = ResourceGroup.visibility
    group = case(
        *((visibility == name, needed) for name, needed in GROUP_LEVEL.items()),
        else_=ADMIN,
    )
    return (
        select(GroupMember.resource_id)
        .join(ResourceGroup, ResourceGroup.id == GroupMember.group_id)
        .group_by(GroupMember.resource_id)
        .having(func.min(group) > level)
    )


async def hidden_ids(session: AsyncSession, caller: Caller) -> set[int]:
    """Ids of the resources this caller may not see (empty for admins, without a query)."""
    stmt = hidden_query(caller)
    if stmt is None:
        return set()
    return set((await session.execute(stmt)).scalars())
