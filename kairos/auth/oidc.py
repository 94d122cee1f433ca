"""OpenID Connect sign-in (docs/oidc.md): the authorization code flow with PKCE, through Authlib.

Authlib keeps the flow's state, nonce and PKCE verifier in ``request.session``: a signed cookie of its own
(``kairos_oidc``, ten minutes), separate from the Kairos session, and read only on the two OIDC paths.
Every failure becomes an ``OidcFailure``: a status, a fixed message for the person signing in, and a short
reason for the log that never holds a token, a code or a secret."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from typing import Any

import authlib.deprecate  # noqa: F401  (installs Authlib's warning filter, which ours must follow)
import httpx2
import joserfc.errors
from authlib.common.errors import AuthlibBaseError

# Authlib runs on httpx2 when it is installed (it is: the MCP SDK needs it too), so its errors are httpx2's.
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import FastAPI, Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from kairos.db.models import AppUser
from kairos.runtime import Runtime
from kairos.services.users import lock_admins, record_login
from kairos.settings import Settings

log = logging.getLogger("kairos.oidc")

STATE_COOKIE = "kairos_oidc"
STATE_MAX_AGE = 600  # seconds a person has between leaving for the provider and coming back
FLOW_PATHS = ("/login/oidc", "/auth/callback")
_TIMEOUT = 10.0
_ERROR_CODE = re.compile(r"[a-z_]{1,40}")

UNREACHABLE = "The identity provider cannot be reached. Try again in a moment, or ask an admin."
MISCONFIGURED = "Single sign-on is misconfigured: the identity provider is not the configured issuer. Tell an admin."
STALE = "This sign-in link expired or was opened in another browser. Start again."
UNVERIFIED = "The identity provider's answer could not be verified. Start again."
CODE_USED = "This sign-in was already used or has expired. Start again."


class OidcFailure(Exception):
    """A refused sign-in: ``message`` is shown, ``reason`` is logged."""

    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.message = message
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Identity:
    subject: str
    email: str
    name: str | None
    admin: bool | None  # None: no admin values configured, roles are managed in Kairos


class OidcLogin:
    """One configured provider: starts the flow and checks what comes back."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.issuer = settings.oidc_issuer_uri.rstrip("/")
        secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        self.client: Any = OAuth().register(
            "kairos",
            client_id=settings.oidc_client_id,
            client_secret=secret,
            server_metadata_url=self.issuer + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                # A client without a secret is a public client: PKCE alone protects its code.
                "token_endpoint_auth_method": "client_secret_basic" if secret else "none",
                "timeout": _TIMEOUT,
            },
        )

    async def metadata(self) -> dict[str, Any]:
        """The discovery document (fetched once), refused unless it names the configured issuer."""
        try:
            metadata: dict[str, Any] = await self.client.load_server_metadata()
        except (httpx2.HTTPError, ValueError) as exc:
            raise OidcFailure(502, UNREACHABLE, f"discovery failed: {type(exc).__name__}") from None
        issuer = metadata.get("issuer")
        if not isinstance(issuer, str) or issuer.rstrip("/") != self.issuer:
            self.client.server_metadata.clear()  # fetched again next time: a fixed provider is picked up
            raise OidcFailure(502, MISCONFIGURED, f"discovery names issuer {issuer!r}, configured {self.issuer!r}")
        return metadata

    async def begin(self, request: Request, redirect_uri: str, next_path: str) -> str:
        """The provider's authorization URL; state, nonce, verifier and ``next_path`` go to the state cookie."""
        await self.metadata()
        try:
            found = await self.client.create_authorization_url(redirect_uri)
        except httpx2.HTTPError as exc:
            raise OidcFailure(502, UNREACHABLE, f"authorization URL: {type(exc).__name__}") from None
        await self.client.save_authorize_data(request, redirect_uri=redirect_uri, next=next_path, **found)
        url: str = found["url"]
        return url

    async def finish(self, request: Request) -> tuple[Identity, str]:
        """Checks the provider's answer on the callback: (who signed in, where they were going)."""
        query = request.query_params
        state = query.get("state") or ""
        saved = await self.client.framework.get_state_data(request.session, state) if state else None
        if error := query.get("error"):
            await self.client.framework.clear_state_data(request.session, state)
            raise _provider_error(error, known_state=saved is not None)
        if saved is None:
            raise OidcFailure(400, STALE, "state missing, unknown or expired")
        metadata = await self.metadata()
        self._check_response_issuer(query.get("iss"), metadata)
        if not query.get("code"):
            raise OidcFailure(400, UNVERIFIED, "callback without a code")
        token = await self._exchange(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise OidcFailure(502, UNVERIFIED, "token response without an ID token")
        if self._needs_userinfo(claims, metadata):
            claims = await self._with_userinfo(token, claims)
        return self._identity(claims), str(saved.get("next") or "/admin")

    @staticmethod
    def _check_response_issuer(iss: str | None, metadata: dict[str, Any]) -> None:
        # RFC 9207: a provider that announces the parameter must send it, and it must be its own issuer;
        # this stops a mix-up where another provider's answer is replayed to our callback.
        if iss is None and not metadata.get("authorization_response_iss_parameter_supported"):
            return
        if iss != metadata["issuer"]:
            raise OidcFailure(401, UNVERIFIED, f"iss parameter {iss!r} is not the issuer")

    async def _exchange(self, request: Request) -> dict[str, Any]:
        """Code for tokens, then Authlib checks the ID token: signature (JWKS), iss, aud, exp, iat, nonce."""
        try:
            token: dict[str, Any] = await self.client.authorize_access_token(request)
        except OAuthError as exc:
            code = exc.error if _ERROR_CODE.fullmatch(str(exc.error)) else "?"
            if code == "invalid_grant":
                raise OidcFailure(401, CODE_USED, "token endpoint: invalid_grant") from None
            raise OidcFailure(502, UNVERIFIED, f"token endpoint: {code}") from None
        except (joserfc.errors.JoseError, AuthlibBaseError) as exc:
            raise OidcFailure(401, UNVERIFIED, f"ID token refused: {type(exc).__name__}") from None
        except httpx2.HTTPError as exc:
            raise OidcFailure(502, UNREACHABLE, f"token endpoint: {type(exc).__name__}") from None
        except ValueError as exc:  # a token response that is not JSON
            raise OidcFailure(502, UNVERIFIED, f"token endpoint: {type(exc).__name__}") from None
        return token

    def _needs_userinfo(self, claims: dict[str, Any], metadata: dict[str, Any]) -> bool:
        missing = "email" not in claims or (
            self.settings.oidc_admin_value_list and claim_at(claims, self.settings.oidc_role_claim) is None
        )
        return bool(missing and metadata.get("userinfo_endpoint"))

    async def _with_userinfo(self, token: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
        """Fills claims the ID token lacks from the userinfo endpoint (many providers keep roles there)."""
        try:
            extra = dict(await self.client.userinfo(token=token))
        except httpx2.HTTPError as exc:
            raise OidcFailure(502, UNREACHABLE, f"userinfo: {type(exc).__name__}") from None
        except (ValueError, AuthlibBaseError) as exc:
            raise OidcFailure(502, UNVERIFIED, f"userinfo: {type(exc).__name__}") from None
        if extra.get("sub") != claims.get("sub"):  # OIDC Core 5.3.2: else it is someone else's answer
            raise OidcFailure(401, UNVERIFIED, "userinfo sub differs from the ID token's")
        return {**extra, **claims}

    def _identity(self, claims: dict[str, Any]) -> Identity:
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise OidcFailure(
                403,
                "Your identity provider did not share an email address, which Kairos needs. Ask an admin.",
                "no email claim",
            )
        if claims.get("email_verified") in (False, "false"):
            raise OidcFailure(
                403, "Your email address is not verified at your identity provider.", "email_verified is false"
            )
        admin_values = self.settings.oidc_admin_value_list
        admin = bool(claim_values(claims, self.settings.oidc_role_claim) & set(admin_values)) if admin_values else None
        name = claims.get("name") or claims.get("preferred_username")
        return Identity(str(claims["sub"]), email.strip()[:320], str(name)[:200] if name else None, admin)


def _provider_error(error: str, known_state: bool) -> OidcFailure:
    # The description is the provider's free text (and anyone can put any text in a link): never shown.
    code = error if _ERROR_CODE.fullmatch(error) else "?"
    message = (
        "The sign-in was cancelled or refused at the identity provider."
        if code == "access_denied"
        else f"The identity provider could not sign you in ({code})."
    )
    return OidcFailure(401, message, f"provider answered error={code} (state {'ok' if known_state else 'unknown'})")


def claim_at(claims: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (``realm_access.roles``), or None."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def claim_values(claims: dict[str, Any], path: str) -> set[str]:
    """A claim read as a set of strings: a list gives its items, a string itself."""
    value = claim_at(claims, path)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(item) for item in value}
    return set()


async def user_for(session: AsyncSession, identity: Identity) -> AppUser:
    """The Kairos user of ``identity``: created at the first sign-in, updated at each one. The caller commits.

    An existing account with the same email is never taken over: an identity provider saying that someone
    owns an address does not prove they own the Kairos account that uses it (think of the default admin)."""
    by_subject = select(AppUser).where(AppUser.oidc_subject == identity.subject)
    user = (await session.execute(by_subject)).scalar()
    by_email = select(AppUser).where(func.lower(AppUser.email) == identity.email.lower())
    holder = (await session.execute(by_email)).scalar()
    if holder is not None and (user is None or holder.id != user.id):
        raise OidcFailure(
            403,
            "An account with this email already exists and signs in another way. "
            "Ask an admin to remove it or change its email, then sign in again.",
            f"email belongs to user {holder.id} ({holder.provider})",
        )
    if user is None:
        user = AppUser(
            email=identity.email,
            password_hash=None,
            role="ADMIN" if identity.admin else "USER",
            provider="OIDC",
            oidc_subject=identity.subject,
            name=identity.name,
            must_change_password=False,
        )
        session.add(user)
    elif not user.enabled:
        raise OidcFailure(403, "This account is disabled. Ask an admin.", f"user {user.id} is disabled")
    else:
        user.email = identity.email  # the subject is the identity; the address may change at the provider
        user.name = identity.name or user.name
        if identity.admin is not None:
            await _apply_role(session, user, identity.admin)
    record_login(user)
    await session.flush()
    return user


async def _apply_role(session: AsyncSession, user: AppUser, admin: bool) -> None:
    if admin:
        user.role = "ADMIN"
        return
    if user.role != "ADMIN":
        return
    await lock_admins(session)  # a concurrent demotion in the console must not leave no admin
    others = select(func.count()).where(AppUser.role == "ADMIN", AppUser.enabled.is_(True), AppUser.id != user.id)
    if not (await session.execute(others)).scalar_one():
        log.warning("OIDC user %s lost the admin claim but is the last enabled admin: kept as ADMIN", user.id)
        return
    user.role = "USER"


class _StateCookie:
    """Starlette's SessionMiddleware on the two OIDC paths only, ``Secure`` when the request came over HTTPS
    (as seen through the trusted proxy headers)."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.app = app
        options: dict[str, Any] = {
            "secret_key": secret_key,
            "session_cookie": STATE_COOKIE,
            "max_age": STATE_MAX_AGE,
            "same_site": "lax",  # the provider sends the browser back with a top-level GET
        }
        self.plain = SessionMiddleware(app, https_only=False, **options)
        self.secure = SessionMiddleware(app, https_only=True, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in FLOW_PATHS:
            await self.app(scope, receive, send)
            return
        await (self.secure if scope.get("scheme") == "https" else self.plain)(scope, receive, send)


def state_cookie_key(secret: str) -> str:
    """A key of its own for the state cookie, so it can never be confused with other uses of the secret."""
    return hmac.new(secret.encode(), b"kairos oidc state cookie", hashlib.sha256).hexdigest()


def install(app: FastAPI, runtime: Runtime) -> None:
    """Registers what OIDC sign-in needs on ``app`` (nothing while it is disabled)."""
    settings = runtime.settings
    app.state.oidc = None
    if not settings.oidc_enabled:
        return
    app.state.oidc = OidcLogin(settings)
    app.add_middleware(_StateCookie, secret_key=state_cookie_key(settings.resolved_secret()))


def local_login_allowed(settings: Settings) -> bool:
    """The password form is switched off only when there is another way in."""
    return settings.local_login_enabled or not settings.oidc_enabled
