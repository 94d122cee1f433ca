"""What a scoped live stream sends a board page: the summary counts, and rows only of what the page shows.

A page above the collapse threshold opens ``/api/resources/stream?groups=…&summary=1``: the groups it has
open (their ids, ``none`` for the resources in no group). It then gets rows of those groups' members, rows of
resources not available now (its "Problems" section) and of those it was last sent as not available (so the
page sees them recover), and a ``summary`` event with the counts that changed. Who sees what is the board's
rule (:func:`kairos.web.dashboard_data.placement`), read for a caller level at most every
``PLACEMENT_TTL_S`` seconds and shared by every subscriber of that level; the counts are computed at most once
a second per level. So a thousand open pages cost one O(resources) count a second, not a thousand."""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from kairos.access.visibility import caller_level
from kairos.api.deps import Caller
from kairos.errors import Invalid
from kairos.runtime import Runtime
from kairos.scheduler.board import LiveBoard
from kairos.web.dashboard_data import Counts, Placement, placement, status_of
from kairos.web.dashboard_scale import NO_GROUP, count, parse_section

MAX_GROUPS = 200  # groups a page may ask rows of: a page opens a handful; more is a client gone wrong
PLACEMENT_TTL_S = 30.0  # a group's visibility or members changed: seen within this
COUNTS_TTL_S = 1.0
ROWS_BOUND = 500  # more rows than this for one message: the page fell behind, it resyncs instead


def parse_groups(text: str) -> set[int | None]:
    """``1,2,none`` -> {1, 2, None}; at most :data:`MAX_GROUPS`; empty: no group (summary and problems only)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > MAX_GROUPS:
        raise Invalid(f"groups may name at most {MAX_GROUPS} groups", field="groups")
    try:
        return {parse_section(p) for p in parts}
    except Invalid as exc:
        raise Invalid(f"groups: {exc.message}", field="groups") from None


@dataclass(slots=True)
class _Level:
    """One caller level's placement and counts, shared by its subscribers."""

    place: Placement | None = None
    read_at: float = float("-inf")
    counts: tuple[Counts, dict[int | None, Counts]] | None = None
    counted_at: float = float("-inf")
    member_of: dict[int, set[int | None]] = field(default_factory=dict)  # resource -> its shown sections


_SHARED: weakref.WeakKeyDictionary[LiveBoard, dict[int, _Level]] = weakref.WeakKeyDictionary()


def _level(runtime: Runtime, caller: Caller) -> _Level:
    # Keyed by the board, which lives as long as the runtime (a test may run several runtimes in one process).
    return _SHARED.setdefault(runtime.board, {}).setdefault(caller_level(caller), _Level())


async def _placement(runtime: Runtime, caller: Caller, level: _Level, fresh: bool) -> Placement:
    now = time.monotonic()
    stale = now - level.read_at >= PLACEMENT_TTL_S or (fresh and now - level.read_at >= COUNTS_TTL_S)
    if level.place is None or stale:
        async with runtime.sessionmaker() as session:
            place = await placement(session, caller)
        level.member_of = {}
        for sid, entries in place.placed.items():
            for _o, _k, rid in entries:
                level.member_of.setdefault(rid, set()).add(sid)
        level.place, level.read_at, level.counts = place, now, None
    return level.place


def _counts(runtime: Runtime, level: _Level, place: Placement) -> tuple[Counts, dict[int | None, Counts]]:
    now = time.monotonic()
    if level.counts is None or now - level.counted_at >= COUNTS_TTL_S:
        level.counts, level.counted_at = count(runtime, place), now
    return level.counts


def _key(section_id: int | None) -> str:
    return NO_GROUP if section_id is None else str(section_id)


class Scope:
    """One scoped subscriber: which changed resources it gets rows of, and the counts it was last sent."""

    def __init__(self, runtime: Runtime, caller: Caller, groups: set[int | None], summary: bool) -> None:
        self._runtime = runtime
        self._caller = caller
        self._groups = groups
        self._summary = summary
        self._level = _level(runtime, caller)
        self._problems: set[int] = set()  # sent as not available: the page shows them in "Problems"
        self._sent: dict[str, dict[str, int]] = {}
        self.due = False  # the counts sent may predate the last change: count again next round

    async def rows(self, ids: set[int]) -> set[int]:
        """Of ``ids`` (changed resources), those the page shows or should learn about."""
        known = self._level.place.resources if self._level.place else {}
        unknown = any(rid not in known for rid in ids)  # a new resource: read who sees it
        await _placement(self._runtime, self._caller, self._level, fresh=unknown)
        member_of = self._level.member_of
        chosen: set[int] = set()
        for rid in ids:
            sections = member_of.get(rid)
            if sections is None:
                continue  # not shown to this caller
            down = status_of(self._runtime.board.state(rid)) == "not-available"
            if down or rid in self._problems or not sections.isdisjoint(self._groups):
                chosen.add(rid)
            if down:
                self._problems.add(rid)
            else:
                self._problems.discard(rid)
        return chosen

    async def summary(self) -> dict[str, Any] | None:
        """The counts that changed since the last call (overall always, groups only when changed); None when
        nothing did or the page did not ask for counts."""
        if not self._summary:
            return None
        asked = time.monotonic()
        place = await _placement(self._runtime, self._caller, self._level, fresh=False)
        overall, per = _counts(self._runtime, self._level, place)
        # Counted (by another subscriber) before this change: ask again on the next round.
        self.due = self._level.counted_at < asked
        now = {"all": overall.as_json(), **{_key(sid): c.as_json() for sid, c in per.items()}}
        changed = {k: v for k, v in now.items() if self._sent.get(k) != v}
        if not changed:
            return None
        self._sent = now
        return {"total": now["all"], "groups": {k: v for k, v in changed.items() if k != "all"}}
