"""Request dependencies: the runtime, a database session and who is calling.

Credentials: an API key as ``Authorization: Bearer <key>``, ``Authorization: ApiKey <key>`` or
``X-API-Key: <key>``, HTTP Basic with a local user's email and password, or the console's session cookie.
Credentials that are present but wrong are refused (401) even on public endpoints, so a revoked key fails
loudly instead of reading as anonymous. A session cookie that is stale reads as anonymous (browsers keep
cookies around); a write through a session cookie must carry the session's CSRF token in ``X-CSRF-Token``."""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPBasic, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.mode import sign_in_required
from kairos.api.errors import ApiError
from kairos.api.scope_docs import SCOPE_ATTRIBUTE
from kairos.auth import sessions
from kairos.auth.apikeys import find_active
from kairos.auth.password_signin import TooManyAttempts, WrongPassword, check_password
from kairos.auth.scopes import Scope, decode, grants
from kairos.db.models import ApiKey
from kairos.runtime import Runtime

# Declared only so that OpenAPI (and the Swagger UI "Authorize" dialog) list the schemes; the header is
# parsed by ``current_caller`` because ``ApiKey <key>`` is not a scheme FastAPI knows.
_bearer = HTTPBearer(
    auto_error=False,
    description="API key: `Authorization: Bearer <key>` (`Authorization: ApiKey <key>` works too).",
)
_x_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key in `X-API-Key`.")
_basic = HTTPBasic(auto_error=False, description="A local user's email and password.")

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="kairos"'}


_USER_SCOPES = {"ADMIN": frozenset({Scope.ADMIN}), "USER": frozenset({Scope.STATUS_READ})}


@dataclass(frozen=True, slots=True)
class Caller:
    kind: Literal["anonymous", "api_key", "user"]
    role: str | None = None  # ADMIN, READ or CUSTOM (keys), ADMIN or USER (users)
    user_id: int | None = None
    key_id: int | None = None
    email: str | None = None
    csrf: str | None = None  # set for session (browser) callers only
    must_change_password: bool = False
    scopes: frozenset[str] = frozenset()  # kairos.auth.scopes; a user's follow from the role

    @classmethod
    def for_user(cls, role: str, **fields: Any) -> Caller:
        return cls("user", role, scopes=_USER_SCOPES.get(role, frozenset()), **fields)

    @classmethod
    def for_key(cls, row: ApiKey) -> Caller:
        return cls("api_key", row.role, user_id=row.created_by, key_id=row.id, scopes=decode(row.scopes))

    @property
    def authenticated(self) -> bool:
        return self.kind != "anonymous"

    @property
    def is_admin(self) -> bool:
        return Scope.ADMIN in self.scopes

    def has(self, scope: str) -> bool:
        return grants(self.scopes, scope)


ANONYMOUS = Caller("anonymous")
# ``openapi_extra`` of public routes: an empty requirement tells OpenAPI that credentials are optional there.
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}]}


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with runtime.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers=_UNAUTHORIZED_HEADERS)


def presented_key(request: Request) -> str | None:
    if key := request.headers.get("x-api-key"):
        return key.strip()
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "apikey") and value.strip():
        return value.strip()
    return None


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        email, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise unauthorized("malformed Basic credentials") from None
    if not sep:
        raise unauthorized("malformed Basic credentials")
    return email, password


def password_change_required() -> ApiError:
    return ApiError(
        403,
        "password_change_required",
        "this account must choose a new password before anything else: sign in to the console (/login) and "
        "choose one, or send PUT /api/users/me/password from that session",
    )


async def _user_caller(request: Request, session: AsyncSession, email: str, password: str) -> Caller:
    """Basic credentials go through the sign-in form's own rule and throttle (kairos.auth.password_signin)."""
    throttle = request.app.state.runtime.login_throttle
    try:
        user = await check_password(session, throttle, email, password, client_address(request))
    except TooManyAttempts:
        raise _too_many("too many failed sign-ins for this account from this address; try again later") from None
    except WrongPassword:
        raise unauthorized("invalid email or password") from None
    # A temporary or default password (admin/admin) must not open the API at all: refused until the user
    # chose a new one in the console, where the change form is the only thing such an account may use.
    if user.must_change_password:
        raise password_change_required()
    return Caller.for_user(user.role, user_id=user.id, email=user.email)


def client_address(request: Request) -> str:
    """The caller's address as uvicorn's proxy-header handling left it (KAIROS_FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "?"


def _too_many(message: str) -> ApiError:
    return ApiError(429, "too_many_requests", message, headers={"Retry-After": "60"})


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def session_caller(request: Request, session: AsyncSession) -> Caller:
    """The signed-in browser behind the session cookie, or ANONYMOUS. Cached on the request."""
    cached = getattr(request.state, "caller", None)
    if isinstance(cached, Caller):
        return cached
    caller = ANONYMOUS
    token = request.cookies.get(sessions.COOKIE)
    if token:
        found = await sessions.find(session, token)
        if found is not None:
            u = found.user
            caller = Caller.for_user(
                u.role,
                user_id=u.id,
                email=u.email,
                csrf=found.csrf,
                # Only a local password can be changed: an OIDC account never waits for one.
                must_change_password=u.must_change_password and u.provider == "LOCAL",
            )
    request.state.caller = caller
    return caller


def _check_api_csrf(request: Request, caller: Caller) -> None:
    if request.method in _SAFE_METHODS or caller.csrf is None:
        return
    if not secrets.compare_digest(request.headers.get("x-csrf-token", ""), caller.csrf):
        raise ApiError(403, "csrf_failed", "missing or wrong X-CSRF-Token for a session-authenticated write")


# All a session that must choose a new password may still call: the change itself, and who it is.
_PASSWORD_CHANGE_PATHS = frozenset({"/api/users/me", "/api/users/me/password"})


def _check_password_change(request: Request, caller: Caller) -> None:
    """Reads included: the default admin's session must not read credentials or export the configuration."""
    if caller.must_change_password and request.url.path not in _PASSWORD_CHANGE_PATHS:
        raise password_change_required()


async def current_caller(
    request: Request,
    session: SessionDep,
    _b: Annotated[object, Security(_bearer)],
    _k: Annotated[object, Security(_x_api_key)],
    _u: Annotated[object, Security(_basic)],
) -> Caller:
    key = presented_key(request)
    basic = _basic_credentials(request) if key is None else None
    if key is not None or basic is not None:
        caller = await _credential_caller(request, session, key, basic)
        _check_private_read(request, caller)
        return caller
    caller = await session_caller(request, session)
    _check_api_csrf(request, caller)
    _check_password_change(request, caller)
    if not caller.authenticated and sign_in_required(request.app.state.runtime.settings, request.url.path):
        raise unauthorized("this Kairos is private: sign in or send an API key")
    return caller


def _check_private_read(request: Request, caller: Caller) -> None:
    """In private mode reads need STATUS_READ: a key made only to trigger checks must not read the board."""
    private = sign_in_required(request.app.state.runtime.settings, request.url.path)
    if private and request.method in _SAFE_METHODS and not caller.has(Scope.STATUS_READ):
        raise missing_scope(Scope.STATUS_READ)


async def _credential_caller(
    request: Request, session: AsyncSession, key: str | None, basic: tuple[str, str] | None
) -> Caller:
    """An API key or Basic credentials."""
    if key is not None:
        return await key_caller(request, session, key)
    assert basic is not None
    settings = request.app.state.runtime.settings
    if settings.oidc_enabled and not settings.local_login_enabled:
        raise unauthorized("password sign-in is turned off here: use single sign-on or an API key")
    return await _user_caller(request, session, *basic)


async def key_caller(request: Request, session: AsyncSession, key: str) -> Caller:
    """A valid key is always accepted, whatever else came from its address (a scraper behind the same proxy
    as a misconfigured client must keep its metrics). A wrong key costs its sender: an address that keeps
    sending wrong ones gets 429 for them. Keys carry 256 random bits, so this limits load, not guessing."""
    row = await find_active(session, key)
    if row is not None:
        return Caller.for_key(row)
    throttle = request.app.state.runtime.api_throttle
    address = "ip:" + client_address(request)
    if throttle.blocked(address):
        raise _too_many("too many wrong API keys from this address; try again later")
    throttle.fail(address)
    raise unauthorized("invalid or revoked API key")


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def require_auth(caller: CurrentCaller) -> Caller:
    if not caller.authenticated:
        raise unauthorized("authentication required: send an API key or Basic credentials")
    return caller


RequireAuth = Annotated[Caller, Depends(require_auth)]


def missing_scope(scope: str) -> ApiError:
    if scope == Scope.ADMIN:
        return ApiError(403, "forbidden", "this needs an admin")
    return ApiError(403, "forbidden", f"this needs an admin or an API key with the {scope} scope")


def require_scope(scope: Scope) -> Any:
    """A dependency: an authenticated caller holding ``scope`` (401 when anonymous, 403 when it lacks it)."""

    async def dependency(caller: RequireAuth) -> Caller:
        if not caller.has(scope):
            raise missing_scope(scope)
        return caller

    dependency.__name__ = f"require_{scope.lower()}"
    setattr(dependency, SCOPE_ATTRIBUTE, scope.value)  # read by kairos.api.scope_docs for the OpenAPI document
    return Depends(dependency)


RequireAdmin = Annotated[Caller, require_scope(Scope.ADMIN)]
RequireStatusRead = Annotated[Caller, require_scope(Scope.STATUS_READ)]
RequireCheckExecute = Annotated[Caller, require_scope(Scope.CHECK_EXECUTE)]
RequireResourceManage = Annotated[Caller, require_scope(Scope.RESOURCE_MANAGE)]
RequireAnnouncementManage = Annotated[Caller, require_scope(Scope.ANNOUNCEMENT_MANAGE)]
