"""``/api/users``: user accounts (admins), and ``/api/users/me`` for the signed-in user themself.

The rules live in kairos/services/users.py, shared with the console and ``kairos user``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kairos.api.deps import Caller, RequireAdmin, RequireAuth, SessionDep
from kairos.api.errors import ApiError, error_responses
from kairos.api.ids import PathId
from kairos.api.schemas.users import PasswordChange, UserCreate, UserPublic, UserUpdate
from kairos.auth import sessions
from kairos.services import users

router = APIRouter(prefix="/api/users", tags=["users"])

_LAST_ADMIN = " The last enabled admin cannot lose that role (409 `last_admin`)."


def _a_user(caller: Caller) -> int:
    """The user behind a session or Basic credentials; an API key is a credential of its own, not a user."""
    if caller.kind != "user" or caller.user_id is None:
        raise ApiError(
            403, "not_a_user", "an API key is not a user: sign in, or send a user's email and password (Basic)"
        )
    return caller.user_id


@router.get(
    "/me",
    summary="The calling user",
    response_model=UserPublic,
    description="Any signed-in user or Basic caller. An API key gets 403 `not_a_user`: it belongs to no user.",
    responses=error_responses(401, 403),
)
async def me(session: SessionDep, caller: RequireAuth) -> UserPublic:
    return UserPublic.of(await users.get_user(session, _a_user(caller)))


@router.put(
    "/me/password",
    status_code=204,
    summary="Change your own password",
    description="LOCAL users only (OIDC users: 409 `no_local_password`). Every other session of the user ends; "
    "the browser session that sends it stays signed in. A wrong `currentPassword` or a weak `newPassword` is "
    "a 422 naming the field.",
    responses=error_responses(400, 401, 403, 409, 422),
)
async def change_my_password(
    body: PasswordChange, request: Request, session: SessionDep, caller: RequireAuth
) -> Response:
    keep = request.cookies.get(sessions.COOKIE) if caller.csrf is not None else None
    await users.change_own_password(session, _a_user(caller), body.current_password, body.new_password, keep)
    return Response(status_code=204)


@router.get(
    "",
    summary="List users",
    response_model=list[UserPublic],
    description="Needs an admin. Ordered by email. Password hashes are never part of any answer.",
    responses=error_responses(401, 403),
)
async def list_users(session: SessionDep, _: RequireAdmin) -> list[UserPublic]:
    return [UserPublic.of(u) for u in await users.list_users(session)]


@router.post(
    "",
    status_code=201,
    summary="Create a local user",
    response_model=UserPublic,
    description="Needs an admin. Creates a LOCAL user (OIDC users appear at their first sign-in). The email is "
    "unique regardless of case (409 naming `email`); the password must pass the password rules (422 naming "
    "`password` with the reason).",
    responses=error_responses(400, 401, 403, 409, 422),
)
async def create_user(body: UserCreate, session: SessionDep, _: RequireAdmin) -> UserPublic:
    return UserPublic.of(await users.create_user(session, users.NewUser.of(body)))


@router.get(
    "/{user_id}",
    summary="One user",
    response_model=UserPublic,
    description="Needs an admin.",
    responses=error_responses(401, 403, 404, 422),
)
async def get_user(user_id: PathId, session: SessionDep, _: RequireAdmin) -> UserPublic:
    return UserPublic.of(await users.get_user(session, user_id))


@router.put(
    "/{user_id}",
    summary="Change a user",
    response_model=UserPublic,
    description="Needs an admin. Partial: fields left out keep their value. Disabling, a new password or another "
    "role ends the user's sessions at once; API keys they created keep working (revoke them separately)." + _LAST_ADMIN,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
async def update_user(user_id: PathId, body: UserUpdate, session: SessionDep, _: RequireAdmin) -> UserPublic:
    return UserPublic.of(await users.update_user(session, user_id, users.changes_of(body)))


@router.delete(
    "/{user_id}",
    status_code=204,
    summary="Delete a user",
    description="Needs an admin. Their sessions end; API keys they created stay (shown as created by a deleted "
    "user)." + _LAST_ADMIN,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def delete_user(user_id: PathId, session: SessionDep, _: RequireAdmin) -> Response:
    await users.delete_user(session, user_id)
    return Response(status_code=204)
