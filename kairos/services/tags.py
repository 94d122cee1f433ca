"""Tags: the rules for a resource's key/value tags and the ``key:value`` filter.

A tag row is one (key, value) shared by the resources that carry it; its colour is whatever was last given
for it (a new tag without one gets a colour picked from its key, so ``env:*`` tags look alike)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy import Select, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.tags import TagIn
from kairos.db.models import Resource, ResourceTag, Tag
from kairos.errors import Invalid

# Readable on the dark and the light theme alike.
PALETTE = ("#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#ff7f0e")


def default_colour(key: str) -> str:
    return PALETTE[hashlib.sha256(key.encode()).digest()[0] % len(PALETTE)]


def parse_filter(text: str, field: str = "tag") -> tuple[str, str]:
    """``key:value`` → (key, value), both checked like a tag's; ``Invalid`` naming ``field`` otherwise."""
    key, sep, value = text.partition(":")
    if not sep:
        raise Invalid("a tag filter is key:value, e.g. env:prod", field=field)
    try:
        tag = TagIn.model_validate({"key": key, "value": value})
    except ValidationError as exc:
        raise Invalid(f"tag filter: {exc.errors()[0]['msg']}", field=field) from None
    return tag.key, tag.value


def filter_text(key: str, value: str) -> str:
    return f"{key}:{value}"


def tagged_query(key: str, value: str) -> Select[int]:
    """Ids of the resources carrying ``key:value``, as a subquery (``Resource.id.in_(…)``)."""
    return (
        select(ResourceTag.resource_id)
        .join(Tag, Tag.id == ResourceTag.tag_id)
        .where(Tag.key == key, Tag.value == value)
    )


async def tagged_ids(session: AsyncSession, key: str, value: str) -> set[int]:
    return set((await session.execute(tagged_query(key, value))).scalars())


async def _tag_row(session: AsyncSession, tag: TagIn) -> Tag:
    row = (await session.execute(select(Tag).where(Tag.key == tag.key, Tag.value == tag.value))).scalar_one_or_none()
    if row is None:
        row = Tag(key=tag.key, value=tag.value, colour=tag.colour or default_colour(tag.key))
        session.add(row)
        await session.flush()
    elif tag.colour is not None:
        row.colour = tag.colour
    return row


def check_distinct(tags: Sequence[TagIn], field: str = "tags") -> None:
    seen: set[str] = set()
    for i, tag in enumerate(tags):
        if tag.key in seen:
            raise Invalid(f"tag key {tag.key!r} is given twice", field=f"{field}[{i}].key")
        seen.add(tag.key)


async def set_tags(session: AsyncSession, row: Resource, tags: Sequence[TagIn] | None) -> None:
    """Replace ``row``'s tags (None or [] removes them all). Unused tag rows stay: their colour is kept."""
    tags = list(tags or [])
    check_distinct(tags)
    rows = [await _tag_row(session, t) for t in tags]
    state = inspect(row)
    if state.persistent and "tags" in state.unloaded:
        # Replacing a collection loads the old one first; in async code that load must be awaited here.
        await session.refresh(row, ["tags"])
    row.tags = rows


async def all_tags(session: AsyncSession) -> list[Tag]:
    """Every tag some resource carries, by key and value (the filters' choices)."""
    stmt = select(Tag).where(Tag.id.in_(select(ResourceTag.tag_id))).order_by(Tag.key, Tag.value)
    return list((await session.execute(stmt)).scalars())


async def tags_by_resource(session: AsyncSession, keys: Sequence[str]) -> dict[int, dict[str, str]]:
    """For the metrics labels: resource id → {key: value} for the given keys only."""
    if not keys:
        return {}
    stmt = (
        select(ResourceTag.resource_id, Tag.key, Tag.value)
        .join(Tag, Tag.id == ResourceTag.tag_id)
        .where(Tag.key.in_(list(keys)))
    )
    out: dict[int, dict[str, str]] = {}
    for rid, key, value in (await session.execute(stmt)).all():
        out.setdefault(rid, {})[key] = value
    return out


async def tag_labels(session: AsyncSession) -> dict[int, list[tuple[str, str, str]]]:
    """Resource id → its tags as (key, value, colour), by key: the dashboard's chips, in one query."""
    stmt = (
        select(ResourceTag.resource_id, Tag.key, Tag.value, Tag.colour)
        .join(Tag, Tag.id == ResourceTag.tag_id)
        .order_by(Tag.key, Tag.value)
    )
    out: dict[int, list[tuple[str, str, str]]] = {}
    for rid, key, value, colour in (await session.execute(stmt)).all():
        out.setdefault(rid, []).append((key, value, colour))
    return out


async def sync_tags(session: AsyncSession, row: Resource, tags: Sequence[TagIn]) -> bool:
    """Config as code: give ``row`` exactly ``tags``; whether anything (a tag or a given colour) changed."""
    have = {(t.key, t.value): t.colour for t in row.tags}
    wanted = {(t.key, t.value): t.colour for t in tags}
    same = set(have) == set(wanted) and all(c is None or have[k] == c for k, c in wanted.items())
    if not same:
        await set_tags(session, row, tags)
    return not same
