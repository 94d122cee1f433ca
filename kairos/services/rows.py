"""Fetching one row by id: ``NotFound`` for an unknown or impossible id (one the database cannot hold)."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.common import MAX_ID
from kairos.errors import NotFound

T = TypeVar("T")


async def get_or_not_found(session: AsyncSession, model: type[T], row_id: int, what: str) -> T:
    row = await session.get(model, row_id) if 1 <= row_id <= MAX_ID else None
    if row is None:
        raise NotFound.of(what)
    return row
