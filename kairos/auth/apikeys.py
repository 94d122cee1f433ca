"""API keys: random, shown once, stored only as a SHA-256 hash (they carry 256 bits of entropy,
so a slow hash would add nothing but latency to every API call)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.auth import scopes as scope_sets
from kairos.db.models import ApiKey

PREFIX = "kai_"


@dataclass(frozen=True, slots=True)
class NewKey:
    row: ApiKey
    plaintext: str


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


async def create_key(
    session: AsyncSession,
    name: str,
    *,
    scopes: frozenset[scope_sets.Scope] = scope_sets.PRESETS["ADMIN"],
    created_by: int | None = None,
) -> NewKey:
    plaintext = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name,
        prefix=plaintext[:12],
        key_hash=hash_key(plaintext),
        role=scope_sets.preset_name(scopes) or "CUSTOM",
        scopes=scope_sets.encode(scopes),
        created_by=created_by,
    )
    session.add(row)
    await session.flush()
    return NewKey(row, plaintext)


async def find_active(session: AsyncSession, plaintext: str) -> ApiKey | None:
    """The live key for ``plaintext``, touching its last-use time."""
    row = (await session.execute(select(ApiKey).where(ApiKey.key_hash == hash_key(plaintext)))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    now = datetime.now(UTC)
    # Write the last-use time at most once a minute per key so reads do not turn into writes.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        await session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
        await session.commit()
    return row


async def revoke(session: AsyncSession, key_id: int) -> bool:
    row = await session.get(ApiKey, key_id)
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    await session.commit()
    return True
