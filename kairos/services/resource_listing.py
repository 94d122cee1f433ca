"""A filtered, sorted, paged list of resources for a caller: the console's table (and any list that pages).

Cheap at 100,000 resources: the filters that live in the database (text, kind, group, tag, enabled and the
caller's visibility) run in SQL and fetch only ids and sort keys; the status filter and the status order read
the live board (status is not stored); only the rows of the page asked for are loaded whole."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_group, hidden_query
from kairos.db.models import GroupMember, Resource, ResourceGroup
from kairos.probes.base import Status
from kairos.scheduler.state import RuntimeState
from kairos.services import tags

if TYPE_CHECKING:
    from kairos.api.deps import Caller

SORTS = ("name", "order", "status")
# Problems first: what needs a look leads the "status" order; ties keep the name order.
_STATUS_RANK = {"not-available": 0, "unknown": 1, "maintenance": 2, "available": 3}


@dataclass(frozen=True, slots=True)
class Listing:
    """What to list. Values are already checked (the adapters parse their own input); ``group`` is an id."""

    q: str = ""
    kind: str = ""
    status: str = ""  # an API status name: available, not-available, unknown, maintenance
    group: int | None = None
    enabled: bool | None = None
    tag: tuple[str, str] | None = None
    sort: str = "name"
    # False: ``q`` matches names only (a caller who may not see targets must not probe them through a search).
    targets: bool = True


@dataclass(frozen=True, slots=True)
class ResourcePage:
    rows: list[Resource]  # this page's, in order, with groups and tags loaded
    matched: int  # resources matching the filters (what "select all matching" acts on)
    total: int  # resources the caller may see at all
    page: int  # 1-based, clamped to the last page
    pages: int  # at least 1
    size: int


def status_of(state: RuntimeState | None) -> str:
    """The API status name; a resource not checked yet is ``unknown``."""
    if state is None or state.last_checked_at is None:
        return Status.UNKNOWN.api_name
    return state.status.api_name


def _contains(text: str, targets: bool) -> ColumnElement[bool]:
    """Case-insensitive substring of the name (or the target); ``%`` and ``_`` are plain characters."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    name = Resource.name.ilike(pattern, escape="\\")
    return or_(name, Resource.target.ilike(pattern, escape="\\")) if targets else name


def _where(stmt: Select[int], listing: Listing, hidden: Select[int] | None) -> Select[int]:
    if hidden is not None:
        stmt = stmt.where(Resource.id.not_in(hidden))
    if listing.q.strip():
        stmt = stmt.where(_contains(listing.q.strip(), listing.targets))
    if listing.kind:
        stmt = stmt.where(Resource.kind == listing.kind.upper())
    if listing.enabled is not None:
        stmt = stmt.where(Resource.enabled.is_(listing.enabled))
    if listing.group is not None:
        stmt = stmt.where(Resource.id.in_(select(GroupMember.resource_id).where(GroupMember.group_id == listing.group)))
    if listing.tag is not None:
        stmt = stmt.where(Resource.id.in_(tags.tagged_query(*listing.tag)))
    return stmt


async def _group_visible(session: AsyncSession, caller: Caller, group_id: int) -> bool:
    """A filter by a group the caller may not see matches nothing: it must not tell its members apart."""
    visibility = (
        await session.execute(select(ResourceGroup.visibility).where(ResourceGroup.id == group_id))
    ).scalar_one_or_none()
    return visibility is not None and can_see_group(caller, visibility)


async def matching_ids(
    session: AsyncSession, caller: Caller, listing: Listing, states: Mapping[int, RuntimeState]
) -> list[int]:
    """Ids of the resources ``caller`` may see that match ``listing``, in its order."""
    if listing.group is not None and not await _group_visible(session, caller, listing.group):
        return []
    by_order = (Resource.display_order, Resource.name_key, Resource.id)
    order = by_order if listing.sort == "order" else (Resource.name_key, Resource.id)
    stmt = _where(select(Resource.id), listing, hidden_query(caller)).order_by(*order)
    ids = list((await session.execute(stmt)).scalars())
    if listing.status:
        ids = [i for i in ids if status_of(states.get(i)) == listing.status]
    if listing.sort == "status":
        ids.sort(key=lambda i: _STATUS_RANK.get(status_of(states.get(i)), 1))  # stable: names stay in order
    return ids


async def visible_count(session: AsyncSession, caller: Caller) -> int:
    hidden = hidden_query(caller)
    stmt = select(func.count()).select_from(Resource)
    if hidden is not None:
        stmt = stmt.where(Resource.id.not_in(hidden))
    return int((await session.execute(stmt)).scalar_one())


async def load_in_order(session: AsyncSession, ids: Sequence[int]) -> list[Resource]:
    """The rows of ``ids`` (groups and tags come with them), in the order of ``ids``."""
    if not ids:
        return []
    found = {r.id: r for r in (await session.execute(select(Resource).where(Resource.id.in_(ids)))).scalars()}
    return [found[i] for i in ids if i in found]


async def resource_page(
    session: AsyncSession,
    caller: Caller,
    listing: Listing,
    states: Mapping[int, RuntimeState],
    page: int,
    size: int,
) -> ResourcePage:
    ids = await matching_ids(session, caller, listing, states)
    pages = max(1, -(-len(ids) // size))
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    rows = await load_in_order(session, ids[start : start + size])
    return ResourcePage(rows, len(ids), await visible_count(session, caller), page, pages, size)
