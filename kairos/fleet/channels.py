"""The fleet's PostgreSQL notification channels and what their payloads mean.

``NOTIFY`` is transactional: sent inside the transaction that stored what it announces, it reaches listeners at
commit, or never if the transaction rolls back. Payloads stay small (PostgreSQL allows 8,000 bytes); listeners
read the rest from the database, and resync periodically so that a notification lost while disconnected heals.

- ``kairos_results``: comma-separated resource ids, one per result recorded (an id may repeat): their verdict
  (``resource_state``) and per-location state (``location_state``) changed.
- ``kairos_resources``: ``<id>`` (a resource was created, edited or deleted: reload it), ``types`` (per-kind
  settings changed), ``settings`` (credentials or notification policies changed: reload those caches) or ``*``
  (reload everything, e.g. after a configuration import)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

RESULTS = "kairos_results"
RESOURCES = "kairos_resources"
TYPES = "types"
SETTINGS = "settings"
EVERYTHING = "*"
MAX_PAYLOAD = 7_000  # below PostgreSQL's 8,000-byte limit

_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


async def notify(session: AsyncSession, channel: str, payload: str) -> None:
    """Announce ``payload`` on ``channel`` when the session's transaction commits."""
    await session.execute(_NOTIFY, {"channel": channel, "payload": payload})


async def notify_results(session: AsyncSession, resource_ids: Iterable[int]) -> None:
    for payload in id_payloads(resource_ids):
        await notify(session, RESULTS, payload)


def id_payloads(resource_ids: Iterable[int]) -> Iterator[str]:
    """Comma-separated ids, cut into payloads of at most MAX_PAYLOAD bytes."""
    parts: list[str] = []
    size = 0
    for rid in resource_ids:
        s = str(rid)
        if parts and size + len(s) + 1 > MAX_PAYLOAD:
            yield ",".join(parts)
            parts, size = [], 0
        parts.append(s)
        size += len(s) + 1
    if parts:
        yield ",".join(parts)


def parse_ids(payload: str) -> list[int]:
    """The ids of a ``kairos_results`` payload (anything that is not an id is ignored)."""
    return [int(p) for p in payload.split(",") if p.strip().isdigit()]
