"""``/api/credentials``: Basic credentials for targets. The password is write-only and encrypted at rest.

The rules are :mod:`kairos.services.credentials`'s; this is the HTTP adapter."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kairos.api.deps import RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
from kairos.api.schemas.credentials import CredentialCreate, CredentialPublic, CredentialUpdate
from kairos.services import credentials as svc

router = APIRouter(prefix="/api/credentials", tags=["credentials"])

_ADMIN = "Needs an admin. The password is never returned, in any form."
_WRITE = _ADMIN + " Checks use the change at once."


@router.get(
    "",
    summary="List credentials",
    response_model=list[CredentialPublic],
    description=_ADMIN,
    responses=error_responses(401, 403),
)
async def list_credentials(session: SessionDep, _: RequireAdmin) -> list[CredentialPublic]:
    return await svc.list_credentials(session)


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
    return await svc.create_credential(session, runtime, body)


@router.get(
    "/{credential_id}",
    summary="Read a credential",
    response_model=CredentialPublic,
    description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)
async def get_credential(credential_id: PathId, session: SessionDep, _: RequireAdmin) -> CredentialPublic:
    return await svc.get_credential(session, credential_id)


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
    return await svc.update_credential(session, runtime, credential_id, body)


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
    await svc.delete_credential(session, runtime, credential_id)
    return Response(status_code=204)
