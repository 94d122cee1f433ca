"""What the resource page shows, read cheaply: live state from the live board (memory), one index range per
table for the history, the outages and the image digest changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.redaction import public_message
from kairos.api.schemas.certificates import certificate_info
from kairos.db.models import Outage
from kairos.history import reader
from kairos.history.codec import StoredResult
from kairos.probes.base import Status
from kairos.probes.certs import certificate_of
from kairos.runtime import Runtime
from kairos.web.deps import PageError
from kairos.web.reasons import answered_latency

HISTORY_PAGE = 50
OUTAGES_SHOWN = 20
DIGEST_CHANGES_SHOWN = 10
REPUSH_NOTE = "tag re-pushed (was "  # appended to the message by Scheduler._note_repush
DIGEST_SCAN_ROWS = 10_000  # about 35 days of an image checked every 5 minutes (the default)
STATUS_CLASS = {s: s.api_name for s in Status}
STATUS_WORD = {
    Status.AVAILABLE: "Available", Status.NOT_AVAILABLE: "Not available", Status.UNKNOWN: "Unknown",
    Status.MAINTENANCE: "Maintenance",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Summary:
    status: Status
    message: str
    checked_at: datetime | None
    latency_ms: float | None  # None when the target never answered (kairos.web.reasons.answered_latency)
    outage_since: datetime | None
    uptime: dict[str, float | None]

    @property
    def css(self) -> str:
        return STATUS_CLASS[self.status]

    @property
    def word(self) -> str:
        return STATUS_WORD[self.status]


def summary(runtime: Runtime, resource_id: int, targets: bool) -> Summary:
    """Current status and uptime from the live board (no database read)."""
    board = runtime.board
    state = board.state(resource_id)
    uptime = board.uptime_of(resource_id)
    if state is None or state.last_checked_at is None:
        return Summary(Status.UNKNOWN, "Not checked yet.", None, None, None, uptime)
    message = state.last_message
    if not targets:
        message = public_message(state.status.value, state.last_error_code, state.last_http_status)
    latency = answered_latency(state.status.value, state.last_http_status, state.last_latency_ms)
    return Summary(state.status, message, state.last_checked_at, latency, state.outage_since, uptime)


@dataclass(frozen=True, slots=True)
class CertCard:
    """The "Certificate" stat card: the certificate the last check saw, days counted now."""

    days_left: int
    not_after: datetime
    issuer: str
    expiring: bool  # within the resource's certExpiryDays

    @property
    def days_text(self) -> str:
        if self.days_left < 0:
            return "expired"
        return f"{self.days_left} day{'' if self.days_left == 1 else 's'} left"

    @property
    def css(self) -> str:
        return "not-available" if self.days_left < 0 else "cert-expiring" if self.expiring else "available"


def certificate_card(runtime: Runtime, resource_id: int, targets: bool) -> CertCard | None:
    """From the live board (no database read). The certificate names hosts (subject, SANs, often the issuer's
    customer): like the API, nothing of it for callers that may not see the target."""
    state = runtime.board.state(resource_id)
    if not targets or state is None:
        return None
    info = certificate_info(certificate_of(state.last_details))
    if info is None:
        return None
    return CertCard(info.days_left, datetime.fromisoformat(info.not_after), info.issuer, info.expiring)


# -- filters from the query string ---------------------------------------------------------------------------


def parse_day(value: str | None, name: str) -> date | None:
    """A ``YYYY-MM-DD`` field of a filter form (UTC days); empty means no bound."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PageError(400, f"The {name} date must look like 2025-01-31.") from None


def day_range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """[start 00:00, the day after end 00:00) in UTC: both days are included."""
    lo = datetime.combine(start, time(), UTC) if start else None
    hi = datetime.combine(end, time(), UTC) + timedelta(days=1) if end else None
    return lo, hi


def parse_cursor(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise PageError(400, "That page link is not valid.")
    return int(value)


def parse_status(value: str | None) -> Status | None:
    if not value:
        return None
    try:
        return Status(value.upper())
    except ValueError:
        raise PageError(400, "Status must be AVAILABLE, NOT_AVAILABLE or UNKNOWN.") from None


# -- check history -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    status: Status | None = None
    start: date | None = None
    end: date | None = None
    before: int | None = None
    after: int | None = None

    def query(self, **change: Any) -> dict[str, str]:
        """The filter as query parameters (for links), with ``change`` applied; empty values left out."""
        values: dict[str, Any] = {
            "status": self.status.value if self.status else None,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }
        values.update(change)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


@dataclass(frozen=True, slots=True)
class HistoryPage:
    rows: list[StoredResult]  # newest first
    older: int | None  # cursor for the next (older) page, when there is one
    newer: int | None  # cursor for the previous (newer) page, when there is one


async def _check_key(session: AsyncSession, resource_id: int, cursor: int | None) -> int | None:
    if cursor is None:
        return None
    if await reader.find(session, resource_id, cursor) is None:
        raise PageError(400, "That page link is not valid.")
    return cursor


def _ms(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp() * 1000)


async def history_page(
    session: AsyncSession, resource_id: int, f: HistoryFilter, size: int = HISTORY_PAGE
) -> HistoryPage:
    """One page of check results, newest first, from a cursor (a result id: its time in ms)."""
    lo_at, hi_at = day_range(f.start, f.end)
    lo, hi = _ms(lo_at), _ms(hi_at)
    status = f.status.value if f.status else None
    before = await _check_key(session, resource_id, f.before)
    after = await _check_key(session, resource_id, f.after)

    async def any_in(lo_ms: int | None, hi_ms: int | None) -> bool:
        return bool(await reader.page(session, resource_id, reader.Range(lo_ms, hi_ms, status), 1))

    if after is not None:
        start = after + 1 if lo is None else max(lo, after + 1)
        found = await reader.page(session, resource_id, reader.Range(start, hi, status), size + 1, newest_first=False)
        rows = found[:size][::-1]
        more_newer = len(found) > size
        more_older = bool(rows) and await any_in(lo, rows[-1].id)
    else:
        top = before if hi is None else (hi if before is None else min(hi, before))
        found = await reader.page(session, resource_id, reader.Range(lo, top, status), size + 1)
        rows = found[:size]
        more_older = len(found) > size
        more_newer = before is not None and bool(rows) and await any_in(rows[0].id + 1, hi)
    if not rows:
        return HistoryPage([], None, None)
    return HistoryPage(rows, rows[-1].id if more_older else None, rows[0].id if more_newer else None)


# -- outages of this resource ------------------------------------------------------------------------------


async def recent_outages(session: AsyncSession, resource_id: int, limit: int = OUTAGES_SHOWN) -> list[Outage]:
    """The latest outages (ix_outage_resource_started); the outage page has the rest."""
    stmt = (
        select(Outage)
        .where(Outage.resource_id == resource_id)
        .order_by(Outage.started_at.desc(), Outage.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


# -- container images --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestChange:
    at: datetime
    old: str | None
    new: str | None


@dataclass(slots=True)
class ImageFacts:
    digest: str | None = None
    platforms: list[str] = field(default_factory=list)
    layer_count: int | None = None
    total_size: int | None = None
    seen_at: datetime | None = None  # when the check these facts come from ran
    changes: list[DigestChange] = field(default_factory=list)

    @property
    def size_text(self) -> str:
        """Compressed size in binary units: ``27.8 MiB``."""
        if self.total_size is None:
            return "\u2013"
        value, unit = float(self.total_size), "B"
        for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
            if value < 1024 or unit == "TiB":
                break
            value /= 1024
        return f"{self.total_size} B" if unit == "B" else f"{value:.1f} {unit}"


def _facts_from(details: dict[str, Any], at: datetime | None, digest: str | None) -> ImageFacts:
    platforms = details.get("platforms")
    layers, size = details.get("layerCount"), details.get("totalSize")
    return ImageFacts(
        digest=digest or _str(details.get("digest")),
        platforms=[str(p) for p in platforms] if isinstance(platforms, list) else [],
        layer_count=layers if isinstance(layers, int) else None,
        total_size=size if isinstance(size, int) else None,
        seen_at=at,
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


async def image_facts(session: AsyncSession, runtime: Runtime, resource_id: int) -> ImageFacts:
    """Digest, platforms, layers and size of the last pullable check, and the latest digest changes.

    The last check's details are in memory; only when it failed (its details may stop before the layers) is
    the latest AVAILABLE result read, newest first along the index until the first one."""
    state = runtime.board.state(resource_id)
    digest = state.image_digest if state else None
    if state and state.status is Status.AVAILABLE and state.last_details:
        facts = _facts_from(state.last_details, state.last_checked_at, digest)
    else:
        hits = await reader.page(session, resource_id, reader.Range(status=Status.AVAILABLE.value), 1)
        facts = _facts_from(hits[0].details or {}, hits[0].checked_at, digest) if hits else ImageFacts(digest=digest)
    facts.changes = await digest_changes(session, resource_id)
    return facts


async def digest_changes(
    session: AsyncSession, resource_id: int, limit: int = DIGEST_CHANGES_SHOWN, scan: int = DIGEST_SCAN_ROWS
) -> list[DigestChange]:
    """When the tag moved: results whose details carry ``digestChanged`` (set by the scheduler), newest first.

    Only the newest ``scan`` results are searched, so the cost stays bounded however long the history is kept.
    The search looks for the scheduler's "tag re-pushed" note in the message; the details of the results found
    say from what to what."""
    recent = await reader.page(session, resource_id, reader.Range(), scan)
    found = [(r.checked_at, r.details) for r in recent if REPUSH_NOTE in r.message][:limit]
    out = []
    for at, details in found:
        change = (details or {}).get("digestChanged")
        if isinstance(change, dict):
            out.append(DigestChange(at, _str(change.get("from")), _str(change.get("to"))))
    return out
