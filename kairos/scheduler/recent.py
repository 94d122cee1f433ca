"""The last N individual checks of every resource, kept in memory: the dashboard's heartbeat bar.

The 96 timeline blocks say little about a resource added an hour ago; the heartbeat bar shows each of its last
checks from the first minute. Memory matters at 10,000+ resources, so a resource's ring is one ``bytearray`` of
fixed-size records (time, latency, status, reason) rather than a deque of tuples of Python objects: 15 bytes a
check, about 1.15 KB per resource at the default 60 with its dict entry (a deque of tuples: ~8 KB). The reason
(error code, HTTP status) is an index into one shared table, since a fleet of resources fails in a handful of ways.

Seeded at start from the raw history (one bounded query over the last day's closed blocks, newest blocks per
resource until they hold N checks, plus the journal of still-open ones), then fed by the live board."""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import ResultBlock
from kairos.history.codec import StoredResult, decode_block
from kairos.history.reader import whole_journal
from kairos.probes.base import ProbeResult, Status
from kairos.scheduler.state import RuntimeState

DEFAULT_SIZE = 60
MIN_SIZE, MAX_SIZE = 50, 100
SEED_WINDOW_S = 24 * 3600  # the seed reads at most a day of closed blocks
_RECORD = struct.Struct("<dfBH")  # checked at (epoch s), latency ms (NaN: none), status, reason index
_STATUSES = (Status.AVAILABLE, Status.NOT_AVAILABLE, Status.UNKNOWN, Status.MAINTENANCE)
_STATUS_CODE = {s: i for i, s in enumerate(_STATUSES)}
_MAX_REASONS = 0xFFFF
_LETTER_OF = bytes.maketrans(bytes(range(len(_STATUSES))), b"ANUM")  # status code -> A, N, U or M


@dataclass(frozen=True, slots=True)
class Beat:
    """One check as the heartbeat bar shows it."""

    at: float  # epoch seconds
    status: Status
    latency_ms: float | None
    error_code: str | None
    http_status: int | None

    @property
    def checked_at(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC)


class RecentChecks:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise ValueError(f"the heartbeat keeps {MIN_SIZE} to {MAX_SIZE} checks, not {size}")
        self.size = size
        self._rings: dict[int, bytearray] = {}
        # (error code, HTTP status) -> index; index 0 is "no reason". Shared by every resource.
        self._reasons: list[tuple[str | None, int | None]] = [(None, None)]
        self._reason_of: dict[tuple[str | None, int | None], int] = {(None, None): 0}

    # -- input --------------------------------------------------------------------------------------------

    async def load(self, session: AsyncSession, now_ts: float) -> None:
        """Seed every resource's ring from its newest stored results (replacing what was there)."""
        self._rings.clear()
        merged: dict[int, list[StoredResult]] = {}
        for rid, payload, location in await session.execute(_newest_blocks(self.size, now_ts)):
            merged.setdefault(rid, []).extend(decode_block(rid, payload, location))
        for rid, results in (await whole_journal(session)).items():
            merged.setdefault(rid, []).extend(results)
        for rid, results in merged.items():
            results.sort(key=lambda r: (r.id, r.location))
            for r in results[-self.size :]:
                self._add(rid, r.id / 1000, Status(r.status), r.latency_ms, r.error_code, r.http_status)

    def add(self, resource_id: int, result: ProbeResult) -> None:
        at = result.checked_at.timestamp()
        self._add(resource_id, at, result.status, result.phases.total_ms, result.error_code, result.http_status)

    def forget(self, resource_id: int) -> None:
        self._rings.pop(resource_id, None)

    def _add(
        self, rid: int, at: float, status: Status, latency: float | None, code: str | None, http: int | None
    ) -> None:
        ring = self._rings.get(rid)
        if ring is None:
            ring = self._rings[rid] = bytearray()
        elif _RECORD.unpack_from(ring, len(ring) - _RECORD.size)[0] >= at:
            return  # the same result handed over twice (a replay, a fleet notification per location), or older
        lat = latency if latency is not None and answered(status, http) else math.nan
        ring += _RECORD.pack(at, lat, _STATUS_CODE.get(status, 2), self._reason(code, http))
        if len(ring) > self.size * _RECORD.size:
            del ring[: _RECORD.size]  # a memmove of under 1.5 KB: cheaper than a ring's bookkeeping in Python

    def _reason(self, code: str | None, http: int | None) -> int:
        key = (code, http)
        index = self._reason_of.get(key)
        if index is None:
            if len(self._reasons) > _MAX_REASONS:
                return 0  # never seen in practice: the reason is left out rather than the table growing on
            index = self._reason_of[key] = len(self._reasons)
            self._reasons.append(key)
        return index

    # -- reads --------------------------------------------------------------------------------------------

    def beats(self, resource_id: int) -> list[Beat]:
        """The resource's last checks, oldest first."""
        out = []
        for at, lat, status, reason in _RECORD.iter_unpack(self._rings.get(resource_id, b"")):
            code, http = self._reasons[reason]
            out.append(Beat(at, _STATUSES[status], None if math.isnan(lat) else lat, code, http))
        return out

    def letters(self, resource_id: int) -> str:
        """One letter per check, oldest first (A up, N down, U unknown, M maintenance): the page's compact form."""
        ring = self._rings.get(resource_id, b"")
        # The status byte of every record (offset 12), mapped to its letter in C: the dashboard asks for every row.
        return ring[12 :: _RECORD.size].translate(_LETTER_OF).decode()


def answered(status: Status, http_status: int | None) -> bool:
    """Whether a check's latency measured an answer: a refused connection or a timeout got none, so pages show a
    dash rather than ``0 ms`` or the timeout."""
    return status is Status.AVAILABLE or (status is Status.NOT_AVAILABLE and http_status is not None)


def shown_latency(state: RuntimeState | None) -> float | None:
    """The last latency, when it measured an answer."""
    if state is None or state.last is None or not answered(state.status, state.last.http_status):
        return None
    return state.last_latency_ms


def failing_streak(state: RuntimeState | None) -> int:
    """Failures in a row of a resource whose outage has not opened yet (below its threshold), else 0."""
    if state is None or state.status is not Status.NOT_AVAILABLE or state.outage_since is not None:
        return 0
    return state.fail_streak


def _newest_blocks(size: int, now_ts: float) -> Select[int, bytes, str]:
    """(resource id, payload, location) of each resource's newest blocks of the last day, just enough of them to
    hold ``size`` results: a running count over the blocks, newest first, keeps a block while the newer ones
    hold fewer than ``size``. Bounded by the day (the index on bucket) whatever the history's length."""
    b = ResultBlock
    newer = (
        func.sum(b.available + b.not_available + b.unknown)
        .over(partition_by=b.resource_id, order_by=(b.bucket.desc(), b.id.desc()), rows=(None, -1))
        .label("newer")
    )
    ranked = select(b.id, newer).where(b.bucket >= int(now_ts) - SEED_WINDOW_S).subquery()
    wanted = select(ranked.c.id).where(func.coalesce(ranked.c.newer, 0) < size)
    return select(b.resource_id, b.payload, b.location).where(b.id.in_(wanted))
