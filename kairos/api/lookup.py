"""Fetching one row by the id in a path: 404 for an unknown or impossible id, never a 500."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.errors import not_found
from kairos.api.schemas.common import MAX_ID

T = TypeVar("T")


async def get_or_404(session: AsyncSession, model: type[T], row_id: int, what: str) -> T:
    row = await session.get(model, row_id) if 1 <= row_id <= MAX_ID else None
    if row is None:
        raise not_found(what)
    return row
