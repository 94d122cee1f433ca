"""Browser sign-in sessions, stored server-side so that logout and a password change end them at once.

The cookie holds a random token; the table keeps only its SHA-256 (the token carries 256 bits, so a slow
hash would add nothing). Each session has its own CSRF token for the forms and scripts it serves."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.db.models import AppUser, UserSession

COOKIE = "kairos_session"
LIFETIME = timedelta(days=7)
# Sliding expiry, written at most this often so that page views do not all become writes.
_TOUCH_EVERY = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class SignedIn:
    token_hash: str
    csrf: str
    user: AppUser


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(session: AsyncSession, user_id: int) -> tuple[str, str]:
    """A new session for ``user_id``: returns (cookie token, CSRF token). The caller commits."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    # Sign-ins are rare next to page views: a good moment to drop sessions that ran out.
    await session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    session.add(
        UserSession(
            token_hash=_hash(token),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + LIFETIME,
        )
    )
    return token, csrf


async def find(session: AsyncSession, token: str) -> SignedIn | None:
    """The live session for a cookie token, or None (unknown, expired, or its user disabled)."""
    if not token or len(token) > 100:
        return None
    stmt = (
        select(UserSession, AppUser)
        .join(AppUser, AppUser.id == UserSession.user_id)
        .where(UserSession.token_hash == _hash(token))
    )
    found = (await session.execute(stmt)).first()
    if found is None:
        return None
    row, user = found
    now = datetime.now(UTC)
    if row.expires_at <= now or not user.enabled:
        await session.execute(delete(UserSession).where(UserSession.token_hash == row.token_hash))
        await session.commit()
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        await session.execute(
            update(UserSession)
            .where(UserSession.token_hash == row.token_hash)
            .values(last_seen_at=now, expires_at=now + LIFETIME)
        )
        await session.commit()
    return SignedIn(row.token_hash, row.csrf_token, user)


async def end(session: AsyncSession, token: str) -> None:
    await session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))


async def end_all(session: AsyncSession, user_id: int, keep_token: str | None = None) -> None:
    """Sign a user out everywhere (password changed, account disabled), except the browser holding
    ``keep_token`` when given (the one that made the change)."""
    stmt = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_token is not None:
        stmt = stmt.where(UserSession.token_hash != _hash(keep_token))
    await session.execute(stmt)
