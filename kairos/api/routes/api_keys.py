"""``/api/api-keys``: create (shown once), list and revoke API keys."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kairos.api.deps import RequireAdmin, SessionDep
from kairos.api.errors import error_responses
from kairos.api.ids import PathId
from kairos.api.schemas.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from kairos.auth.scopes import ALL, PRESETS, decode
from kairos.services import api_keys

router = APIRouter(prefix="/api/api-keys", tags=["api keys"])


@router.get(
    "",
    summary="List API keys",
    response_model=list[ApiKeyPublic],
    description="Needs an admin. Keys themselves are never shown again, only their prefix. `createdByEmail` "
    "names the user who created the key (null: the command line, or a user since deleted).",
    responses=error_responses(401, 403),
)
async def list_keys(session: SessionDep, _: RequireAdmin) -> list[ApiKeyPublic]:
    return [
        ApiKeyPublic(
            id=r.id,
            name=r.name,
            prefix=r.prefix,
            role=r.role,
            scopes=sorted(decode(r.scopes), key=ALL.index),
            created_by=r.created_by,
            created_by_email=user.email if user else None,
            created_at=r.created_at,
            last_used_at=r.last_used_at,
            revoked=r.revoked_at is not None,
        )
        for r, user in await api_keys.list_keys(session)
    ]


@router.post(
    "",
    status_code=201,
    summary="Create an API key",
    response_model=ApiKeyCreated,
    description="Needs an admin. Send `scopes` (any of STATUS_READ, CHECK_EXECUTE, RESOURCE_MANAGE, "
    "ANNOUNCEMENT_MANAGE, MCP_ACCESS, ADMIN) or a preset `role` (READ = STATUS_READ, ADMIN = everything). "
    "The answer holds the key itself, and no later answer does: store it.",
    responses=error_responses(400, 401, 403, 422),
)
async def create(body: ApiKeyCreate, session: SessionDep, caller: RequireAdmin) -> ApiKeyCreated:
    scopes = frozenset(body.scopes) if body.scopes is not None else PRESETS[body.role or "ADMIN"]
    new = await api_keys.create(session, body.name, scopes=scopes, created_by=caller.user_id)
    row = new.row
    return ApiKeyCreated(
        id=row.id,
        name=row.name,
        key=new.plaintext,
        prefix=row.prefix,
        role=row.role,
        scopes=sorted(decode(row.scopes), key=ALL.index),
        created_at=row.created_at,
    )


@router.delete(
    "/{key_id}",
    status_code=204,
    summary="Revoke an API key",
    description="Needs an admin. The key stops working on the next request.",
    responses=error_responses(401, 403, 404, 422),
)
async def revoke_key(key_id: PathId, session: SessionDep, _: RequireAdmin) -> Response:
    await api_keys.revoke(session, key_id)
    return Response(status_code=204)
