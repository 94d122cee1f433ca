"""``/api/credentials``: Basic credentials for targets. The password is write-only and encrypted at rest."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from kairos.api.deps import RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
from kairos.api.lookup import get_or_404
from kairos.api.schemas.credentials import CredentialCreate, CredentialPublic, CredentialUpdate
from kairos.db.models import Credential

router = APIRouter(prefix="/api/credentials", tags=["credentials"])

_ADMIN = "Needs an admin. The password is never returned, in any form."
_WRITE = _ADMIN + " Checks use the change at once."


def _public(row: Credential) -> CredentialPublic:
    return CredentialPublic(
        id=row.id,
        name=row.name,
        pattern=row.pattern,
        username=row.username,
        description=row.description,
        created_at=row.created_at,
    )


@router.get(
    "",
    summary="List credentials",
    response_model=list[CredentialPublic],
    description=_ADMIN,
    responses=error_responses(401, 403),
)
async def list_credentials(session: SessionDep, _: RequireAdmin) -> list[CredentialPublic]:
    rows = (await session.execute(select(Credential).order_by(Credential.id))).scalars()
    return [_public(r) for r in rows]


@router.post(
    "",
    status_code=201,
    summary="Create a credential",
    response_model=CredentialPublic,
    description=_WRITE,
    responses=error_responses(400, 401, 403, 422),
)
async def create_credential(
    body: CredentialCreate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> CredentialPublic:
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
    return _public(row)


@router.get(
    "/{credential_id}",
    summary="Read a credential",
    response_model=CredentialPublic,
    description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)
async def get_credential(credential_id: PathId, session: SessionDep, _: RequireAdmin) -> CredentialPublic:
    return _public(await get_or_404(session, Credential, credential_id, "credential"))


@router.put(
    "/{credential_id}",
    summary="Edit a credential",
    response_model=CredentialPublic,
    description=_WRITE + " Fields left out keep their value (leave out `password` to keep it).",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def update_credential(
    credential_id: PathId, body: CredentialUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> CredentialPublic:
    row = await get_or_404(session, Credential, credential_id, "credential")
    given = body.model_fields_set
    for field in ("name", "pattern", "username", "description"):
        if field in given:
            setattr(row, field, getattr(body, field))
    if body.password is not None:
        row.secret_enc = runtime.box.seal(body.password)
    await session.commit()
    await runtime.credentials.reload()
    return _public(row)


@router.delete(
    "/{credential_id}",
    status_code=204,
    summary="Delete a credential",
    description=_WRITE,
    responses=error_responses(401, 403, 404, 422),
)
async def delete_credential(
    credential_id: PathId, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> Response:
    await session.delete(await get_or_404(session, Credential, credential_id, "credential"))
    await session.commit()
    await runtime.credentials.reload()
    return Response(status_code=204)
