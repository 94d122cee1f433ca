"""Resources: listing, creating, editing and deleting them, and the checks a body must pass beyond its schema.

The schema checks shapes and ranges; here the target is validated by its kind's rules, the options by the
kind's config model, and group ids against the database. Every refusal names the field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.common import MAX_ID
from kairos.api.schemas.resources import ResourceCreate, ResourceUpdate
from kairos.db.models import Credential, GroupMember, Resource, ResourceGroup
from kairos.errors import Invalid, NotFound
from kairos.naming import natural_sorted
from kairos.probes.kinds import parse_config, spec_of
from kairos.secrets_mask import MaskWithoutValue, merge_headers
from kairos.services import proxies, tags
from kairos.services.fields import field_path


def check_target(kind: str, target: str) -> str:
    """The target normalised by its kind's rules (e.g. lower-case scheme and host)."""
    try:
        normalised = spec_of(kind).validate_target(target)
    except ValueError as exc:
        raise Invalid(f"target: {exc}", field="target") from None
    return normalised if isinstance(normalised, str) else target


def check_options(kind: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """The options as stored: only what was given, validated by the kind's model."""
    try:
        config = parse_config(kind, options or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        sub = field_path(first["loc"])
        field = f"options.{sub}" if sub else "options"
        kind_msg = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise Invalid(f"{field}: {kind_msg.removeprefix('Value error, ')}", field=field) from None
    except ValueError as exc:
        raise Invalid(f"options: {exc}", field="options") from None
    return config.model_dump(mode="json", by_alias=True, exclude_unset=True)


def with_stored_headers(options: dict[str, Any] | None, stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """``options`` with masked header values replaced by the stored ones (header values are write-only:
    callers only ever read the mask, kairos/secrets_mask.py). Headers left out are dropped with the rest of the
    old options; a mask with nothing stored behind it is refused rather than sent as a literal value."""
    headers = (options or {}).get("headers")
    if not isinstance(headers, dict):
        return options  # absent, or a shape the kind's model refuses with its own message
    old = (stored or {}).get("headers")
    try:
        merged = merge_headers(headers, old if isinstance(old, dict) else {})
    except MaskWithoutValue as exc:
        raise Invalid(f"options.headers: {exc}", field="options.headers") from None
    return {**(options or {}), "headers": merged}


async def check_groups(session: AsyncSession, group_id: int | None, group_ids: list[int] | None) -> list[int]:
    wanted = list(dict.fromkeys([*([group_id] if group_id else []), *(group_ids or [])]))
    if not wanted:
        return []
    found = set((await session.execute(select(ResourceGroup.id).where(ResourceGroup.id.in_(wanted)))).scalars())
    for gid in wanted:
        if gid not in found:
            field = "groupId" if gid == group_id else "groupIds"
            raise Invalid(f"{field}: group {gid} does not exist", field=field)
    return wanted


async def check_credential(session: AsyncSession, credential_id: int | None) -> int | None:
    if credential_id is not None and await session.get(Credential, credential_id) is None:
        raise Invalid(f"credentialId: credential {credential_id} does not exist", field="credentialId")
    return credential_id


async def load_resource(session: AsyncSession, resource_id: int) -> Resource:
    """The resource with its groups, freshly read; 404 when there is none."""
    if not 1 <= resource_id <= MAX_ID:
        raise NotFound.of("resource")
    stmt = select(Resource).where(Resource.id == resource_id).execution_options(populate_existing=True)
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise NotFound.of("resource")
    return row


async def _set_groups(session: AsyncSession, row: Resource, group_ids: list[int]) -> None:
    # Edit the membership list in place: replacing it would delete and re-insert equal primary keys.
    keep = set(group_ids)
    for member in [m for m in row.memberships if m.group_id not in keep]:
        row.memberships.remove(member)
    present = {m.group_id for m in row.memberships}
    added = [gid for gid in group_ids if gid not in present]
    if not added:
        return
    # A resource joining a group goes to its end, after the members an admin has put in order.
    stmt = (
        select(GroupMember.group_id, func.max(GroupMember.display_order))
        .where(GroupMember.group_id.in_(added))
        .group_by(GroupMember.group_id)
    )
    last = {gid: top for gid, top in (await session.execute(stmt)).all()}
    for gid in added:
        top = last.get(gid)
        row.memberships.append(GroupMember(group_id=gid, display_order=0 if top is None else top + 1))


async def create_resource(session: AsyncSession, body: ResourceCreate) -> Resource:
    kind = body.resource_type
    row = Resource(
        name=body.name,
        kind=kind,
        target=check_target(kind, body.target),
        config=check_options(kind, with_stored_headers(body.options, None)),
        enabled=body.active,
        interval_s=body.interval_seconds,
        timeout_s=body.timeout_seconds,
        skip_tls=body.skip_tls,
        recursive=body.recursive,
        display_order=body.display_order,
        credential_id=await check_credential(session, body.credential_id),
        locations=body.locations,
        quorum=body.quorum,
        proxy=await proxies.check_choice(session, body.proxy),
        outage_threshold=body.outage_threshold,
        recovery_threshold=body.recovery_threshold,
        upside_down=body.upside_down,
        memberships=[],
    )
    await _set_groups(session, row, await check_groups(session, body.group_id, body.group_ids))
    session.add(row)
    await tags.set_tags(session, row, body.tags)
    await session.commit()
    return await load_resource(session, row.id)


async def update_resource(session: AsyncSession, row: Resource, body: ResourceUpdate) -> Resource:
    given = body.model_fields_set
    kind = body.resource_type if body.resource_type is not None else row.kind
    kind_changed = kind != row.kind
    if "target" in given or kind_changed:
        row.target = check_target(kind, body.target if body.target is not None else row.target)
    if "options" in given:
        stored = row.config if not kind_changed else None
        row.config = check_options(kind, with_stored_headers(body.options, stored))
    elif kind_changed:
        # Options of another kind mean nothing to this one; a kind change without options starts afresh.
        row.config = check_options(kind, {})
    row.kind = kind
    simple = {
        "name": "name",
        "display_order": "display_order",
        "skip_tls": "skip_tls",
        "recursive": "recursive",
        "active": "enabled",
        "interval_seconds": "interval_s",
        "timeout_seconds": "timeout_s",
        "locations": "locations",  # names and policy already checked and canonical (the schema's types)
        "quorum": "quorum",
        "outage_threshold": "outage_threshold",
        "recovery_threshold": "recovery_threshold",
    }
    for field, column in simple.items():
        if field in given:
            setattr(row, column, getattr(body, field))
    if given & {"group_id", "group_ids"}:
        await _set_groups(session, row, await check_groups(session, body.group_id, body.group_ids))
    if "credential_id" in given:
        row.credential_id = await check_credential(session, body.credential_id)
    if "proxy" in given:
        row.proxy = await proxies.check_choice(session, body.proxy)
    if "upside_down" in given and body.upside_down is not None:
        row.upside_down = body.upside_down
    if "tags" in given:
        await tags.set_tags(session, row, body.tags)
    await session.commit()
    return await load_resource(session, row.id)


async def list_resources(session: AsyncSession) -> Sequence[Resource]:
    """Every resource in display order, then name (natural order), then id; callers filter by what their
    caller may see."""
    stmt = select(Resource).order_by(Resource.display_order, Resource.name_key, Resource.id)
    return (await session.execute(stmt)).scalars().all()


async def ordered_ids(session: AsyncSession, hidden: Select[int] | None = None) -> list[int]:
    """Ids in display order, then name, then id, without those in ``hidden`` (the visibility rule's
    ``hidden_query``)."""
    stmt = select(Resource.id).order_by(Resource.display_order, Resource.name_key, Resource.id)
    if hidden is not None:
        stmt = stmt.where(Resource.id.not_in(hidden))
    return list((await session.execute(stmt)).scalars())


async def set_enabled(session: AsyncSession, row: Resource, enabled: bool) -> Resource:
    return await update_resource(session, row, ResourceUpdate.model_validate({"active": enabled}))


async def delete_resource(session: AsyncSession, resource_id: int) -> Resource:
    """Delete the resource and (by cascade) its history; the deleted row is returned for its name."""
    row = await load_resource(session, resource_id)
    await session.delete(row)
    await session.commit()
    return row


async def references(session: AsyncSession) -> tuple[list[ResourceGroup], list[Credential]]:
    """What a resource may point at (groups in display order, credentials by name), for a form's choices."""
    groups = await session.execute(
        select(ResourceGroup).order_by(ResourceGroup.display_order, ResourceGroup.name_key, ResourceGroup.id)
    )
    creds = await session.execute(select(Credential).order_by(Credential.id))
    return list(groups.scalars()), natural_sorted(creds.scalars(), lambda c: c.name)
