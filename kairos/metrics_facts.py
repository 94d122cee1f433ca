"""What the metrics know of resources besides the board: their groups, and which ones the operator's filters
(``KAIROS_METRICS_GROUPS``, ``KAIROS_METRICS_TAGS``) select for per-resource series.

Read from the database at most every ``REFRESH_S`` seconds, on a scrape, with a few grouped queries (never one per
resource); the rendering itself never touches the database. A membership or tag edited since shows within that
time, as the tag labels do (kairos/metrics_tags.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.errors import Invalid
from kairos.metrics_options import Cardinality
from kairos.services.memberships import group_names, group_names_by_resource
from kairos.services.tags import tagged_ids

REFRESH_S = 30.0


class ResourceFacts:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = asyncio.Lock()  # two scrapes at once read the database once
        self.configure(Cardinality())

    def configure(self, cardinality: Cardinality) -> None:
        self.cardinality = cardinality
        self.groups_of: dict[int, tuple[str, ...]] = {}  # resource id → its groups' names
        self.members: dict[str, frozenset[int]] = {}  # every group's name → its members (maybe none)
        self.selected: frozenset[int] | None = None  # what the filters select; None: no filter, every resource
        self._loaded_at: float | None = None

    async def refresh(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """Reload when older than ``REFRESH_S``."""
        async with self._lock:
            if self._loaded_at is not None and self._clock() - self._loaded_at < REFRESH_S:
                return
            async with sessionmaker() as session:
                groups_of = await group_names_by_resource(session)
                names = await group_names(session)
                tagged = [await tagged_ids(session, k, v) for k, v in self.cardinality.tags]
            members: dict[str, set[int]] = {name: set() for name in names}
            for rid, groups in groups_of.items():
                for name in groups:
                    members.setdefault(name, set()).add(rid)
            self.groups_of = groups_of
            self.members = {name: frozenset(ids) for name, ids in members.items()}
            self.selected = self._select(tagged)
            self._loaded_at = self._clock()

    def _select(self, tagged: list[set[int]]) -> frozenset[int] | None:
        """Members of one of the chosen groups (if any are chosen) that carry one of the chosen tags (if any)."""
        chosen: set[int] | None = None
        if self.cardinality.groups:
            chosen = set().union(*(self.members.get(g, frozenset()) for g in self.cardinality.groups))
        if self.cardinality.tags:
            with_tag = set().union(*tagged)
            chosen = with_tag if chosen is None else chosen & with_tag
        return None if chosen is None else frozenset(chosen)

    def members_of(self, groups: Collection[str]) -> frozenset[int]:
        """The resources of these groups (a scrape's ``?group=``); ``Invalid`` when one does not exist."""
        if any(g not in self.members for g in groups):
            # The name is not repeated: messages never echo input.
            raise Invalid("a group in ?group= does not exist (names are exact, case included)", field="group")
        return frozenset().union(*(self.members[g] for g in groups))

    def invalidate(self) -> None:
        self._loaded_at = None
