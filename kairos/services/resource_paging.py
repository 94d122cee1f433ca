"""Pages of the resource list for ``GET /api/resources`` and the MCP ``listResources`` tool.

The filtering is the console's (:mod:`kairos.services.resource_listing`: visibility, text, kind, group and tag
in SQL, then the live board); here come what the API adds: several statuses at once (and ``failing``), the
caller's checks of ``type`` and ``status`` with precise errors, and an ``offset``/``limit`` window over the
matching ids. The total counts only what the caller may see: hidden resources are filtered out before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import Resource
from kairos.errors import Invalid
from kairos.probes.kinds import kind_names, spec_of
from kairos.scheduler.recent import failing_streak
from kairos.scheduler.state import RuntimeState
from kairos.services.resource_listing import Listing, matching_ids, status_of

if TYPE_CHECKING:
    from kairos.api.deps import Caller

FAILING = "failing"  # not available, its outage not open yet (below the threshold)
# Every spelling a caller may use, upper-cased: the enum's, the Java Kairos' lower-case one, and failing.
_STATUSES = {
    "AVAILABLE": "available",
    "NOT_AVAILABLE": "not-available",
    "NOT-AVAILABLE": "not-available",
    "UNKNOWN": "unknown",
    "MAINTENANCE": "maintenance",
    "FAILING": FAILING,
}
STATUS_HELP = "AVAILABLE, NOT_AVAILABLE, UNKNOWN, MAINTENANCE or FAILING"
_LOAD_CHUNK = 900  # ids per IN (…): well under SQLite's bound parameters, whatever the page size


def parse_statuses(text: str | None) -> frozenset[str]:
    """``status=NOT_AVAILABLE,unknown`` → the API names wanted; empty: any status."""
    if text is None:
        return frozenset()
    wanted: set[str] = set()
    for part in text.split(","):
        name = _STATUSES.get(part.strip().upper())
        if name is None:
            raise Invalid(f"status must be {STATUS_HELP} (several: comma-separated)", field="status")
        wanted.add(name)
    return frozenset(wanted)


def parse_kind(text: str | None) -> str:
    """A registered kind in any case (``http`` → ``HTTP``); empty: any kind."""
    if text is None:
        return ""
    try:
        return str(spec_of(text.strip().upper()).name)
    except ValueError:
        raise Invalid(f"type must be one of {', '.join(kind_names())}", field="type") from None


def has_status(state: RuntimeState | None, wanted: frozenset[str]) -> bool:
    return status_of(state) in wanted or (FAILING in wanted and failing_streak(state) > 0)


@dataclass(frozen=True, slots=True)
class ResourceSlice:
    rows: list[Resource]  # the window's rows, in order, with groups and tags loaded
    total: int  # every resource the caller may see that matches the filters


async def load_many(session: AsyncSession, ids: Sequence[int]) -> list[Resource]:
    """The rows of ``ids`` in that order, read in chunks (a full list may hold 100,000)."""
    found: dict[int, Resource] = {}
    for start in range(0, len(ids), _LOAD_CHUNK):
        chunk = ids[start : start + _LOAD_CHUNK]
        found.update(
            (r.id, r) for r in (await session.execute(select(Resource).where(Resource.id.in_(chunk)))).scalars()
        )
    return [found[i] for i in ids if i in found]


async def resource_slice(
    session: AsyncSession,
    caller: Caller,
    listing: Listing,
    statuses: frozenset[str],
    states: Mapping[int, RuntimeState],
    window: tuple[int, int | None],
) -> ResourceSlice:
    """The ``(offset, limit)`` window of what ``caller`` may see and ``listing`` keeps (limit None: the rest)."""
    ids = await matching_ids(session, caller, listing, states)
    if statuses:
        ids = [i for i in ids if has_status(states.get(i), statuses)]
    offset, limit = window
    shown = ids[offset:] if limit is None else ids[offset : offset + limit]
    return ResourceSlice(await load_many(session, shown), len(ids))
