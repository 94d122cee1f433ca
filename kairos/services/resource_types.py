"""Resource types: the interval, parallelism, timeout, outage thresholds and fleet quorum of each kind of check.

Stored as ``ResourceTypeSettings`` rows (a kind without a row has its defaults); a change takes effect
without a restart because the scheduler reloads the settings right after the commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.resource_types import ResourceTypeUpdate
from kairos.db.models import ResourceTypeSettings
from kairos.errors import Invalid, NotFound
from kairos.probes.kinds import kind_names
from kairos.scheduler.catalog import TypeSettings

# Input field → stored column.
_FIELDS = {
    "interval_seconds": "interval_s",
    "parallelism": "parallelism",
    "timeout_seconds": "timeout_s",
    "outage_threshold": "outage_threshold",
    "recovery_threshold": "recovery_threshold",
    "quorum": "quorum",  # canonical already (the schema's Quorum type)
}


class TypeSettingsOwner(Protocol):
    """Who holds the settings in force (the scheduler): read them, and reload them after a change."""

    @property
    def types(self) -> Mapping[str, TypeSettings]: ...

    async def reload_type_settings(self) -> None: ...


def _names() -> str:
    """``HTTP, TCP or DOCKER``: the registered kinds, as the not-found message lists them."""
    names = kind_names()
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def in_force(owner: TypeSettingsOwner) -> list[tuple[str, TypeSettings]]:
    """Every kind with the settings in force, defaults included, by kind."""
    return sorted(owner.types.items())


async def _apply(session: AsyncSession, owner: TypeSettingsOwner, kind: str, body: ResourceTypeUpdate) -> None:
    current = owner.types[kind]
    row = await session.get(ResourceTypeSettings, kind)
    if row is None:
        row = ResourceTypeSettings(
            kind=kind,
            interval_s=current.interval_s,
            parallelism=current.parallelism,
            timeout_s=current.timeout_s,
            outage_threshold=current.outage_threshold,
            recovery_threshold=current.recovery_threshold,
            quorum=current.quorum,
        )
        session.add(row)
    for field, column in _FIELDS.items():
        if field in body.model_fields_set:
            setattr(row, column, getattr(body, field))


async def update_many(session: AsyncSession, owner: TypeSettingsOwner, bodies: Sequence[ResourceTypeUpdate]) -> None:
    """Each entry names its kind, once; fields left out keep their value."""
    seen: set[str] = set()
    for i, item in enumerate(bodies):
        if item.resource_type is None:
            raise Invalid(f"[{i}].resourceType is required", field=f"[{i}].resourceType")
        if item.resource_type in seen:
            raise Invalid(f"{item.resource_type} is listed twice", field=f"[{i}].resourceType")
        seen.add(item.resource_type)
        await _apply(session, owner, item.resource_type, item)
    await session.commit()
    await owner.reload_type_settings()


async def update_one(
    session: AsyncSession, owner: TypeSettingsOwner, kind: str, body: ResourceTypeUpdate
) -> TypeSettings:
    """``kind`` in any case; a kind nobody registered is ``NotFound``. Returns the settings now in force."""
    parsed = kind.upper()
    if parsed not in kind_names():
        raise NotFound.of(f"resource type ({_names()})")
    if body.resource_type is not None and body.resource_type != parsed:
        raise Invalid("resourceType does not match the path", field="resourceType")
    await _apply(session, owner, parsed, body)
    await session.commit()
    await owner.reload_type_settings()
    return owner.types[parsed]
