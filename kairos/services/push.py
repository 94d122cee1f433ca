"""PUSH resources (docs/push.md): issuing and rotating their secret tokens, and recording the pings to
``/api/push/{token}``. A token is shown once; only its SHA-256 is stored, and a ping finds its resource by that
hash through a unique index, so the lookup's time says nothing about how much of a guess was right."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_resource
from kairos.api.schemas.push import PushStatus, PushToken
from kairos.auth.scopes import Scope
from kairos.db.models import Resource
from kairos.db.models.push import PushHeartbeat
from kairos.errors import Conflict, NotFound, RateLimited
from kairos.probes.kinds import spec_of

if TYPE_CHECKING:
    from kairos.api.deps import Caller

TOKEN_PREFIX = "kp_"
HINT_CHARS = 7  # "kp_" and four characters: enough to tell tokens apart, far too few to guess one
MAX_MESSAGE = 500
MAX_BODY_EXCERPT = 1_000  # characters of the ping's body kept for the resource page
MAX_SOURCE = 64
Signal = Literal["up", "down", "start"]


def new_token() -> str:
    """192 random bits, URL-safe: a path segment as it is."""
    return TOKEN_PREFIX + secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def push_url(base_url: str, token: str) -> str:
    """Where the job pings: ``base_url`` is ``KAIROS_PUBLIC_URL``, or the address the caller reached Kairos at."""
    return f"{base_url.rstrip('/')}/api/push/{token}"


def token_answer(resource_id: int, token: str, base_url: str) -> PushToken:
    """A freshly issued token as the API, MCP and console show it: this once."""
    return PushToken(
        resource_id=resource_id, token=token, push_url=push_url(base_url, token), token_hint=token[:HINT_CHARS]
    )


def takes_pings(kind: str) -> bool:
    try:
        return spec_of(kind).push_token
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Ping:
    """One ping as the endpoint read it; texts are already bounded (see :func:`bounded`)."""

    signal: Signal
    message: str | None = None
    latency_ms: float | None = None
    source: str | None = None
    body: str | None = None


def bounded(text: str | None, limit: int) -> str | None:
    """``text`` cut to ``limit`` characters with control characters (but newlines and tabs) made visible."""
    if not text:
        return None
    cut = text[:limit]
    return "".join(c if c.isprintable() or c in "\n\t" else "\ufffd" for c in cut)


async def heartbeat_of(session: AsyncSession, resource_id: int) -> PushHeartbeat | None:
    return await session.get(PushHeartbeat, resource_id, populate_existing=True)


async def last_ping(session: AsyncSession, caller: Caller, row: Resource) -> PushStatus | None:
    """The resource's last ping as ``caller`` may see it, or None (not visible, not PUSH, no token yet). The
    source address and the body excerpt only for admins and RESOURCE_MANAGE keys (docs/push.md): one rule for the
    API and the resource page."""
    if not can_see_resource(caller, row) or not takes_pings(row.kind):
        return None
    beat = await heartbeat_of(session, row.id)
    if beat is None:
        return None
    manager = caller.has(Scope.RESOURCE_MANAGE)
    return PushStatus(
        resource_id=row.id,
        token_hint=beat.token_hint,
        issued_at=beat.issued_at,
        last_ping_at=beat.last_ping_at,
        last_signal=beat.last_signal,
        last_message=beat.last_message,
        last_latency_ms=beat.last_latency_ms,
        started_at=beat.started_at,
        pings=beat.pings,
        last_source=beat.last_source if manager else None,
        last_body=beat.last_body if manager else None,
    )


async def issue_token(session: AsyncSession, resource_id: int) -> str:
    """A new token for the resource, replacing (and so invalidating) any old one; committed. Its last ping stays."""
    token = new_token()
    row = await heartbeat_of(session, resource_id)
    if row is None:
        row = PushHeartbeat(resource_id=resource_id, pings=0)
        session.add(row)
    row.token_hash = hash_token(token)
    row.token_hint = token[:HINT_CHARS]
    row.issued_at = datetime.now(UTC)
    await session.commit()
    return token


async def ensure_token(session: AsyncSession, row: Resource) -> str | None:
    """A token for a PUSH resource that has none yet (just created, or changed to PUSH); None otherwise."""
    if not takes_pings(row.kind) or await heartbeat_of(session, row.id) is not None:
        return None
    return await issue_token(session, row.id)


async def rotate_token(session: AsyncSession, row: Resource) -> str:
    """A new token for a PUSH resource; the old one stops working at once. ``Conflict`` for another kind."""
    if not takes_pings(row.kind):
        raise Conflict(f"resource {row.id} is not a PUSH resource: it has no push token", code="not_push")
    return await issue_token(session, row.id)


async def record_ping(session: AsyncSession, token: str, ping: Ping, now: datetime | None = None) -> int:
    """Store ``ping`` as the last one of the token's resource and return the resource's id. ``NotFound`` (the
    same for every reason) when the token is unknown, rotated away, or its resource is no longer PUSH."""
    stmt = (
        select(PushHeartbeat, Resource.kind)
        .join(Resource, Resource.id == PushHeartbeat.resource_id)
        .where(PushHeartbeat.token_hash == hash_token(token))
    )
    found = (await session.execute(stmt)).one_or_none()
    if found is None or not takes_pings(found[1]):
        raise NotFound.of("push token")
    row: PushHeartbeat = found[0]
    at = now or datetime.now(UTC)
    if ping.signal == "start":
        row.started_at = at  # a sign of life that says nothing of the outcome: status and last ping stay
    else:
        if (
            ping.latency_ms is None
            and row.started_at is not None
            and (row.last_ping_at is None or row.started_at > row.last_ping_at)
        ):
            latency: float | None = round((at - row.started_at).total_seconds() * 1000.0, 3)  # the job's run time
        else:
            latency = ping.latency_ms
        row.last_ping_at = at
        row.last_signal = ping.signal
        row.last_message = ping.message
        row.last_latency_ms = latency
    row.last_source = ping.source
    row.last_body = ping.body
    row.pings = (row.pings or 0) + 1
    rid = row.resource_id
    await session.commit()
    return rid


class PingLimiter:
    """Pings per token in one process: a bucket of ``burst`` pings refilled at ``per_s``. Keyed by the token's
    hash (never the token); bounded, the least recently used key goes first."""

    def __init__(self, burst: int = 10, per_s: float = 0.5, max_keys: int = 50_000) -> None:
        self.burst, self.per_s, self.max_keys = burst, per_s, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._now = time.monotonic

    def take(self, token: str) -> None:
        """One ping's worth, or ``RateLimited`` with the seconds until the next one is allowed."""
        key, now = hash_token(token), self._now()
        level, then = self._buckets.pop(key, (float(self.burst), now))
        level = min(float(self.burst), level + (now - then) * self.per_s)
        if level < 1.0:
            self._buckets[key] = (level, now)
            wait = max(1, int((1.0 - level) / self.per_s + 0.999))
            raise RateLimited(
                f"too many pings for this token; try again in {wait} s", retry_after_s=wait, code="ping_rate_limited"
            )
        self._buckets[key] = (level - 1.0, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
