"""User accounts: the rules the API (``/api/users``), the console (``/admin/users``) and ``kairos user`` share.

Every function here is one unit of work: it checks, writes and commits, or raises a ``kairos.errors`` error
with nothing written. Taking a user's access away (disable, delete, new password, other role) signs that user out
everywhere at once. API keys a user created stay valid: a key is a credential of its own (the CLI makes keys
without any user), so revoke it on the API keys page when its creator leaves.

The last enabled ADMIN can be neither deleted, disabled nor demoted. The check runs in the same transaction
as the change, after it, with the admin rows locked first (PostgreSQL) or the write lock taken first
(SQLite), so two admins demoting each other at the same moment cannot both succeed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.schemas.users import UserCreate, UserUpdate, email_problem, normalise_email
from kairos.auth import sessions
from kairos.auth.passwords import hash_password, verify_password
from kairos.db.models import AppUser
from kairos.errors import Conflict, Invalid, NotFound
from kairos.services.password_policy import password_problem

ROLES = ("ADMIN", "USER")
LOCAL = "LOCAL"
NO_PASSWORD = "This user signs in through the identity provider and has no password in Kairos."
LAST_ADMIN = "This is the last enabled admin: make another user an admin first."


@dataclass(frozen=True, slots=True)
class NewUser:
    email: str
    role: str
    password: str
    name: str | None = None
    enabled: bool = True
    must_change_password: bool = True

    @classmethod
    def of(cls, body: UserCreate) -> NewUser:
        """From the API's (and the console form's) validated body."""
        return cls(body.email, body.role, body.password, body.name, body.enabled, body.must_change_password)


@dataclass(frozen=True, slots=True)
class UserChanges:
    """A partial update: None leaves a field as it is (``clear_name`` empties the name)."""

    name: str | None = None
    clear_name: bool = False
    role: str | None = None
    enabled: bool | None = None
    password: str | None = None
    must_change_password: bool | None = None


def changes_of(body: UserUpdate) -> UserChanges:
    """From the API's (and the console form's) validated partial body: a ``name`` sent as null clears it."""
    given = body.model_fields_set
    return UserChanges(
        name=body.name,
        clear_name="name" in given and body.name is None,
        role=body.role,
        enabled=body.enabled,
        password=body.password,
        must_change_password=body.must_change_password,
    )


def _ordered() -> Select[AppUser]:
    return select(AppUser).order_by(func.lower(AppUser.email), AppUser.id)


async def list_users(session: AsyncSession) -> list[AppUser]:
    return list((await session.execute(_ordered())).scalars())


async def get_user(session: AsyncSession, user_id: int) -> AppUser:
    user = await session.get(AppUser, user_id) if 1 <= user_id <= 2**31 - 1 else None
    if user is None:
        raise NotFound.of("user")
    return user


async def find_by_email(session: AsyncSession, email: str) -> AppUser | None:
    stmt = select(AppUser).where(func.lower(AppUser.email) == normalise_email(email))
    return (await session.execute(stmt)).scalars().first()


def _check_password(password: str, email: str, current: str | None = None) -> None:
    if problem := password_problem(password, email, current):
        raise Invalid(problem, field="password")


async def _hash(password: str) -> str:
    # argon2 is slow on purpose: keep it off the event loop.
    return await asyncio.to_thread(hash_password, password)


async def create_user(session: AsyncSession, new: NewUser) -> AppUser:
    """A LOCAL user; ``Invalid`` naming ``email``, ``role`` or ``password``, ``Conflict`` naming ``email`` when
    it is taken."""
    email = normalise_email(new.email)
    if problem := email_problem(email):
        raise Invalid(problem, field="email")
    if new.role not in ROLES:
        raise Invalid("Choose ADMIN or USER.", field="role")
    _check_password(new.password, email)
    if await find_by_email(session, email) is not None:
        raise Conflict("A user with this email already exists.", field="email")
    user = AppUser(
        email=email,
        name=new.name or None,
        role=new.role,
        provider=LOCAL,
        password_hash=await _hash(new.password),
        enabled=new.enabled,
        must_change_password=new.must_change_password,
    )
    session.add(user)
    await session.commit()
    return user


async def update_user(session: AsyncSession, user_id: int, changes: UserChanges) -> AppUser:
    user = await get_user(session, user_id)
    if changes.role is not None and changes.role not in ROLES:
        raise Invalid("Choose ADMIN or USER.", field="role")
    if user.provider != LOCAL and (changes.password is not None or changes.must_change_password):
        raise Conflict(NO_PASSWORD, field="password", code="no_local_password")
    if changes.password is not None:
        _check_password(changes.password, user.email)
    new_hash = await _hash(changes.password) if changes.password is not None else None

    takes_admin_away = (changes.role not in (None, "ADMIN") or changes.enabled is False) and _counts(user)
    if takes_admin_away:
        await lock_admins(session)
    signs_out = (
        new_hash is not None
        or (changes.enabled is False and user.enabled)
        or (changes.role is not None and changes.role != user.role)
    )
    if changes.clear_name:
        user.name = None
    elif changes.name is not None:
        user.name = changes.name
    if changes.role is not None:
        user.role = changes.role
    if changes.enabled is not None:
        user.enabled = changes.enabled
    if new_hash is not None:
        user.password_hash = new_hash
        # A password someone else chose is a temporary one unless the admin says otherwise.
        user.must_change_password = True
    if changes.must_change_password is not None:
        user.must_change_password = changes.must_change_password
    await session.flush()
    if takes_admin_away:
        await _keep_an_admin(session)
    if signs_out:
        await sessions.end_all(session, user.id)
    await session.commit()
    return user


async def delete_user(session: AsyncSession, user_id: int) -> None:
    user = await get_user(session, user_id)
    counts = _counts(user)
    if counts:
        await lock_admins(session)
    await sessions.end_all(session, user.id)
    await session.delete(user)
    await session.flush()
    if counts:
        await _keep_an_admin(session)
    await session.commit()


async def set_password(session: AsyncSession, email: str, password: str, must_change: bool = False) -> AppUser:
    """The terminal's way in (``kairos user set-password``): also a recovery when every admin is locked out."""
    user = await find_by_email(session, email)
    if user is None:
        raise NotFound.of("user")
    return await update_user(session, user.id, UserChanges(password=password, must_change_password=must_change))


async def change_own_password(
    session: AsyncSession, user_id: int, current: str, new: str, keep_session: str | None = None
) -> None:
    """A user changes their own password: every other session ends (``keep_session``: the caller's cookie)."""
    user = await get_user(session, user_id)
    if user.provider != LOCAL:
        raise Conflict(NO_PASSWORD, field="currentPassword", code="no_local_password")
    if not await asyncio.to_thread(verify_password, user.password_hash, current):
        raise Invalid("This is not your current password.", field="currentPassword")
    if problem := password_problem(new, user.email, current):
        raise Invalid(problem, field="newPassword")
    user.password_hash = await _hash(new)
    user.must_change_password = False
    await sessions.end_all(session, user.id, keep_session)
    await session.commit()


def record_login(user: AppUser) -> None:
    """For the sign-in routes: when a user last signed in (shown in the console). The caller commits."""
    user.last_login_at = datetime.now(UTC)


def _counts(user: AppUser) -> bool:
    """Whether ``user`` is one of the enabled admins the last-admin rule protects."""
    return user.role == "ADMIN" and user.enabled


async def lock_admins(session: AsyncSession) -> None:
    """Call before counting admins in a transaction that may take one away (also used by OIDC sign-in)."""
    # PostgreSQL: a second transaction taking admins away waits here until the first commits, then counts
    # what it left. SQLite ignores FOR UPDATE; there the change below takes the database's write lock first.
    stmt = select(AppUser.id).where(AppUser.role == "ADMIN", AppUser.enabled.is_(True)).order_by(AppUser.id)
    await session.execute(stmt.with_for_update())


async def _keep_an_admin(session: AsyncSession) -> None:
    stmt = select(func.count()).select_from(AppUser).where(AppUser.role == "ADMIN", AppUser.enabled.is_(True))
    if not (await session.execute(stmt)).scalar_one():
        await session.rollback()
        raise Conflict(LAST_ADMIN, code="last_admin")
