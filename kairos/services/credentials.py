"""Credentials for targets (Basic user and password, matched by pattern): the password is write-only and
sealed with the runtime's box; every change reloads the store the checks read (``kairos/credentials.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.credentials import CredentialCreate, CredentialPublic, CredentialUpdate
from kairos.db.models import Credential
from kairos.services.rows import get_or_not_found

if TYPE_CHECKING:
    from kairos.runtime import Runtime

WHAT = "credential"


def public(row: Credential) -> CredentialPublic:
    return CredentialPublic(
        id=row.id,
        name=row.name,
        pattern=row.pattern,
        username=row.username,
        description=row.description,
        created_at=row.created_at,
    )


async def list_credentials(session: AsyncSession) -> list[CredentialPublic]:
    rows = (await session.execute(select(Credential).order_by(Credential.id))).scalars()
    return [public(r) for r in rows]


async def create_credential(session: AsyncSession, runtime: Runtime, body: CredentialCreate) -> CredentialPublic:
    row = Credential(
        name=body.name,
        pattern=body.pattern,
        username=body.username,
        secret_enc=runtime.box.seal(body.password),
        description=body.description,
    )
    session.add(row)
    await session.commit()
    await runtime.credentials.reload()
    await runtime.scheduler.caches_changed()  # a fleet's workers check with these credentials
    return public(row)


async def get_credential(session: AsyncSession, credential_id: int) -> CredentialPublic:
    return public(await get_or_not_found(session, Credential, credential_id, WHAT))


async def update_credential(
    session: AsyncSession, runtime: Runtime, credential_id: int, body: CredentialUpdate
) -> CredentialPublic:
    """Fields left out keep their value (``password`` left out keeps the stored one)."""
    row = await get_or_not_found(session, Credential, credential_id, WHAT)
    given = body.model_fields_set
    for field in ("name", "pattern", "username", "description"):
        if field in given:
            setattr(row, field, getattr(body, field))
    if body.password is not None:
        row.secret_enc = runtime.box.seal(body.password)
    await session.commit()
    await runtime.credentials.reload()
    await runtime.scheduler.caches_changed()  # a fleet's workers check with these credentials
    return public(row)


async def delete_credential(session: AsyncSession, runtime: Runtime, credential_id: int) -> None:
    await session.delete(await get_or_not_found(session, Credential, credential_id, WHAT))
    await session.commit()
    await runtime.credentials.reload()
    await runtime.scheduler.caches_changed()  # a fleet's workers check with these credentials
