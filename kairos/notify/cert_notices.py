"""``cert_expiring`` events: once per threshold (21/14/7/1 days by default) per certificate of a resource.

Every result that carries a certificate yields a candidate event (kairos.notify.events.events_of); here the
candidates become real events or are dropped. The threshold of a candidate is the tightest one it is within;
sent ones are remembered in ``cert_notice`` (written in the recorder's transaction, so a notice is stored
exactly when its outbox rows are) and in memory, so that the common case (nothing near expiry, or already
sent) costs no query. A certificate seen first at 10 days left notifies once (for 14) and then at 7 and 1.
In the fleet two workers may see a crossing at once: the primary key lets one insert; only that one sends."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from kairos.db.models import CertNotice
from kairos.notify.cert_thresholds import parse_thresholds as parse_thresholds  # its home before
from kairos.notify.events import CERT_EXPIRING, Event
from kairos.probes.certs import DAY_S, certificate_of, seconds_left

DEFAULT_THRESHOLDS = (21, 14, 7, 1)
_CACHE_LIMIT = 100_000  # keys remembered; beyond it the table answers (a few bytes each)

NoticeKey = tuple[int, str, int]  # resource, certificate fingerprint, threshold in days


def threshold_of(event: Event, thresholds: Sequence[int]) -> int | None:
    """The tightest threshold the event's certificate is within, or None."""
    cert = certificate_of(event.details)
    left = seconds_left(cert, event.at) if cert is not None else None
    if left is None:
        return None
    within = [t for t in thresholds if left < t * DAY_S]
    return min(within) if within else None


class CertNotices:
    """Filters candidate ``cert_expiring`` events down to the ones due; other events pass untouched."""

    def __init__(self, thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> None:
        self.thresholds = tuple(thresholds)
        self._sent: set[NoticeKey] = set()

    async def due(self, session: AsyncSession, events: Iterable[Event]) -> list[Event]:
        out: list[Event] = []
        for event in events:
            if event.kind != CERT_EXPIRING or await self._claim(session, event):
                out.append(event)
        return out

    async def _claim(self, session: AsyncSession, event: Event) -> bool:
        threshold = threshold_of(event, self.thresholds)
        cert = certificate_of(event.details)
        if threshold is None or cert is None or event.resource_id is None:
            return False
        key = (event.resource_id, str(cert.get("fingerprint", "")), threshold)
        if key in self._sent:
            return False
        inserted = await _insert_once(session, key, event)
        if len(self._sent) >= _CACHE_LIMIT:
            self._sent.clear()
        self._sent.add(key)
        event.details["thresholdDays"] = threshold
        return inserted


async def _insert_once(session: AsyncSession, key: NoticeKey, event: Event) -> bool:
    """Insert the notice unless it exists; True when this call inserted it."""
    values = {"resource_id": key[0], "fingerprint": key[1], "threshold_days": key[2], "sent_at": event.at}
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    stmt: Insert
    if dialect == "postgresql":
        stmt = pg_insert(CertNotice).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite_insert(CertNotice).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - the two supported databases are above
        stmt = insert(CertNotice).values(values)
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))
