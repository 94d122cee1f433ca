"""API keys: listing them with their creator, creating one (its secret returned once) and revoking one.

The secret itself and its hash are :mod:`kairos.auth.apikeys`' business; this is what the API, the console and
``kairos apikey`` share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.auth.apikeys import NewKey, create_key
from kairos.auth.apikeys import revoke as revoke_row
from kairos.auth.scopes import Scope
from kairos.db.models import ApiKey, AppUser
from kairos.errors import Invalid, NotFound

MAX_KEY_ID = 2**31 - 1  # ids are 32-bit: a larger one names no key (and must not reach the database)


async def list_keys(session: AsyncSession) -> list[tuple[ApiKey, AppUser | None]]:
    """Every key, oldest first, with the user who created it (None: the command line, or a deleted user)."""
    stmt = select(ApiKey, AppUser).outerjoin(AppUser, AppUser.id == ApiKey.created_by).order_by(ApiKey.id)
    return [(row, user) for row, user in await session.execute(stmt)]


async def create(
    session: AsyncSession, name: str, *, scopes: frozenset[Scope], created_by: int | None = None
) -> NewKey:
    """Stores a new key and returns it with its secret, which nothing can show again. ``scopes`` is not empty
    (the adapters parse names and presets with :func:`kairos.auth.scopes.parse`)."""
    if not scopes:
        raise Invalid("choose at least one scope", field="scopes")
    new = await create_key(session, name, scopes=scopes, created_by=created_by)
    await session.commit()
    return new


async def revoke(session: AsyncSession, key_id: int) -> None:
    """The key stops working on its next request; revoking a revoked key again is no error."""
    if not (1 <= key_id <= MAX_KEY_ID and await revoke_row(session, key_id)):
        raise NotFound.of("API key")
