"""Keyset ("cursor") pagination for the history and outage tables of the pages.

A page is read in index order from a cursor row, so page 1,000 costs what page 1 costs; OFFSET would walk
every earlier row. The cursor is the id of the last row shown; its (time, id) pair is the key."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

Key = tuple[datetime, int]
# A select of any columns (SQLAlchemy 2.1 types a select by its column tuple).
AnySelect = Select[*tuple[Any, ...]]
AnyRow = Row[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Page:
    rows: Sequence[AnyRow]
    older: int | None  # cursor for the next (older) page, when there is one
    newer: int | None  # cursor for the previous (newer) page, when there is one


def _older(at: Any, ident: Any, key: Key) -> Any:
    return or_(at < key[0], and_(at == key[0], ident < key[1]))


def _newer(at: Any, ident: Any, key: Key) -> Any:
    return or_(at > key[0], and_(at == key[0], ident > key[1]))


async def _exists(session: AsyncSession, stmt: AnySelect) -> bool:
    return (await session.execute(stmt.limit(1))).first() is not None


async def keyset_page(
    session: AsyncSession,
    stmt: AnySelect,
    columns: tuple[Any, Any],
    key_of: Callable[[AnyRow], Key],
    *,
    before: Key | None = None,
    after: Key | None = None,
    size: int = 50,
) -> Page:
    """Newest first: the ``size`` rows older than ``before``, or newer than ``after``, or the newest ones."""
    at, ident = columns
    if after is not None:
        query = stmt.where(_newer(at, ident, after)).order_by(at.asc(), ident.asc()).limit(size + 1)
        found = list((await session.execute(query)).all())
        more_newer = len(found) > size
        rows = found[:size][::-1]
    else:
        query = stmt.order_by(at.desc(), ident.desc()).limit(size + 1)
        if before is not None:
            query = query.where(_older(at, ident, before))
        found = list((await session.execute(query)).all())
        rows = found[:size]
        more_newer = False
    if not rows:
        return Page(rows, None, None)
    first, last = key_of(rows[0]), key_of(rows[-1])
    if after is None:
        more_older = len(found) > size
        more_newer = before is not None and await _exists(session, stmt.where(_newer(at, ident, first)))
    else:
        more_older = await _exists(session, stmt.where(_older(at, ident, last)))
    return Page(rows, last[1] if more_older else None, first[1] if more_newer else None)
