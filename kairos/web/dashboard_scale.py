"""The status board above the collapse threshold (``dashboard_collapse_above`` resources the caller may see).

A visitor first needs the counts and what is wrong now, not 100,000 rows: the page then carries the counts
overall and per group, the resources down or failing now (the first :data:`PROBLEMS_SHOWN`), and each group
collapsed with its counts; a group's rows come when it is opened, :data:`PAGE` at a time
(``/dashboard/rows``). Search and the status filter are answered here, by the server, over every resource the
caller may see. Counting reads each shown resource's state in memory once: O(resources), no query, no row
built. Rows are built (timeline, heartbeat, tags) only for what the page shows."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.deps import Caller
from kairos.errors import Invalid
from kairos.probes.base import Status
from kairos.runtime import Runtime
from kairos.web.dashboard_data import Board, Counts, Placement, RowMaker, new_board, placement

PAGE = 200  # rows per opened group, per "more"; and the budget of rows a filtered page renders at once
PROBLEMS_SHOWN = 50  # rows in "Problems"; "show all" filters the board by status instead
GROUPS_SHOWN = 100  # group headers per page (1,000 groups would be 25,000 nodes); "more groups" for the next
QUERY_MAX = 200  # characters of search text kept
STATUSES = ("available", "not-available", "failing", "unknown", "maintenance")
NO_GROUP = "none"  # the section of the resources in no group, in URLs and the stream's ``groups``


@dataclass(frozen=True, slots=True)
class Filter:
    """``?q=`` (name, or target where the caller may see targets) and ``?status=``; empty: no filter."""

    q: str = ""
    status: str = ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.status)


def parse_filter(q: str | None, status: str | None) -> Filter:
    """The query string's filter; an unknown status is an error that names the accepted ones."""
    text = (q or "").strip()[:QUERY_MAX]
    chosen = (status or "").strip()
    if chosen in ("", "all"):
        chosen = ""
    elif chosen not in STATUSES:
        raise Invalid(f"status must be one of all, {', '.join(STATUSES)}", field="status")
    return Filter(text, chosen)


def parse_section(text: str) -> int | None:
    """``none`` (no group) or a group id; anything else is an error."""
    if text == NO_GROUP:
        return None
    if not text.isdigit() or len(text) > 18:
        raise Invalid("group must be a group id or 'none'", field="group")
    return int(text)


# Each resource's state as one small code, read once per request: at 100,000 resources the counts, the
# problems and the status filter are each one pass over a dict of ints, not three passes over the states.
UP, DOWN, FAILING, UNKNOWN, MAINTENANCE = range(5)
_BY_FILTER = {
    "available": {UP},
    "not-available": {DOWN, FAILING},
    "failing": {FAILING},
    "unknown": {UNKNOWN},
    "maintenance": {MAINTENANCE},
}
_CODES = {Status.AVAILABLE: UP, Status.UNKNOWN: UNKNOWN, Status.MAINTENANCE: MAINTENANCE}


def classify(runtime: Runtime, ids: Iterable[int]) -> dict[int, int]:
    """Resource id -> UP, DOWN (an outage is open), FAILING (not available, below its threshold), UNKNOWN or
    MAINTENANCE, from the live board (no query)."""
    get = runtime.board.states.get
    codes: dict[int, int] = {}
    for rid in ids:
        state = get(rid)
        if state is None:
            codes[rid] = UNKNOWN
        elif state.status is Status.NOT_AVAILABLE:
            codes[rid] = FAILING if state.outage_since is None and state.fail_streak > 0 else DOWN
        else:
            codes[rid] = _CODES.get(state.status, UNKNOWN)
    return codes


def _counts(tally: list[int]) -> Counts:
    up, down, failing, unknown, maintenance = tally
    return Counts(sum(tally), up, down + failing, unknown, failing, maintenance)


def matching(place: Placement, codes: dict[int, int], flt: Filter, show_targets: bool) -> set[int]:
    """The shown resources the filter keeps. The target is searched only where the caller may see targets:
    otherwise a visitor could learn a hidden target letter by letter from what a search finds."""
    kept: set[int] = set()
    needle = flt.q.casefold()
    wanted = _BY_FILTER.get(flt.status)
    for rid, code in codes.items():
        if wanted is not None and code not in wanted:
            continue
        name, _kind, target = place.resources[rid][:3]
        if needle and needle not in name.casefold() and not (show_targets and needle in target.casefold()):
            continue
        kept.add(rid)
    return kept


def count(
    runtime: Runtime, place: Placement, codes: dict[int, int] | None = None
) -> tuple[Counts, dict[int | None, Counts]]:
    """Counts overall (each resource once) and per section (a resource counts in each of its groups)."""
    if codes is None:
        codes = classify(runtime, place.ids())
    tally = [0] * 5
    for code in codes.values():
        tally[code] += 1
    per: dict[int | None, Counts] = {}
    for section in place.sections:
        part = [0] * 5
        for _order, _key, rid in place.placed.get(section.id, []):
            part[codes[rid]] += 1
        per[section.id] = _counts(part)
    return _counts(tally), per


def problem_ids(place: Placement, codes: dict[int, int]) -> list[int]:
    """Resources not available now: those in an outage first, then those failing (below the threshold), each
    in natural name order."""
    found = [(code, place.resources[rid][6], rid) for rid, code in codes.items() if code in (DOWN, FAILING)]
    return [rid for _c, _n, rid in sorted(found)]


def _summed(board: Board, overall: Counts) -> None:
    board.counts = overall
    board.total, board.up, board.down, board.unknown = overall.total, overall.up, overall.down, overall.unknown


async def load_scaled(
    session: AsyncSession,
    runtime: Runtime,
    caller: Caller,
    place: Placement,
    flt: Filter,
    show_targets: bool,
    group_offset: int = 0,
) -> Board:
    """The board above the threshold: counts, problems, collapsed groups; with a filter, the matches (as many
    whole groups as :data:`PAGE` rows allow expanded, the others collapsed with their number of matches).
    :data:`GROUPS_SHOWN` groups from ``group_offset``; ``board.groups_next`` says where the next ones start."""
    now = time.time()
    codes = classify(runtime, place.ids())
    overall, per = count(runtime, place, codes)
    board = new_board(runtime, caller, place.sections, now)
    _summed(board, overall)
    board.scaled, board.query, board.status_filter = True, flt.q, flt.status
    rows = await RowMaker(runtime, place, now).read(session)
    if flt.active:
        place.keep_only(matching(place, codes, flt, show_targets))
    elif group_offset == 0:  # the next groups' page is for the groups only
        problems = problem_ids(place, codes)
        board.show_problems, board.problems_total = True, len(problems)
        board.problems = [rows.row(rid) for rid in problems[:PROBLEMS_SHOWN]]
    shown = place.sections[group_offset : group_offset + GROUPS_SHOWN]
    if group_offset + GROUPS_SHOWN < len(place.sections):
        board.groups_next, board.groups_left = (
            group_offset + GROUPS_SHOWN,
            len(place.sections) - len(shown) - group_offset,
        )
    board.sections = shown
    budget = PAGE
    for section in shown:
        members = place.members(section.id)
        section.counts, section.matched = per[section.id], len(members)
        if flt.active and len(members) <= budget:
            section.rows = [rows.row(rid) for rid in members]
            budget -= len(members)
        else:
            section.collapsed = True
    return board


async def load_section(
    session: AsyncSession,
    runtime: Runtime,
    caller: Caller,
    section_id: int | None,
    offset: int = 0,
    flt: Filter = Filter(),
    show_targets: bool = False,
    limit: int = PAGE,
) -> Board | None:
    """One section's rows from ``offset`` (``limit`` of them; ``next_offset`` says where the next page starts),
    with the same visibility as the board: None when the caller may not see the group (or it does not exist)."""
    now = time.time()
    place = await placement(session, caller, group_id=section_id)
    section = next((s for s in place.sections if s.id == section_id), None)
    if section is None:
        return None
    codes = classify(runtime, place.ids())
    overall, per = count(runtime, place, codes)
    members = place.members(section_id)
    if flt.active:
        kept = matching(place, codes, flt, show_targets)
        members = [rid for rid in members if rid in kept]
    rows = await RowMaker(runtime, place, now).read(session)
    section.rows = [rows.row(rid) for rid in members[offset : offset + limit]]
    section.counts, section.matched = per[section_id], len(members)
    section.next_offset = offset + limit if offset + limit < len(members) else None
    board = new_board(runtime, caller, [section], now)
    _summed(board, overall)
    board.query, board.status_filter = flt.q, flt.status
    return board
