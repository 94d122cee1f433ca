"""The gate in front of every MCP route (``/mcp``, ``/sse``, ``/mcp/message``): an API key, checked before the
SDK reads a byte of the body.

- The key comes as ``Authorization: Bearer <key>`` (or ``ApiKey <key>``, or ``X-API-Key``), as in the REST API;
  no key, Basic credentials or a wrong key get 401 with ``WWW-Authenticate`` and the API's error body; wrong
  keys are throttled per address by the REST API's own rule (``kairos.api.deps.key_caller``: 429).
- Session cookies never open it: an assistant has no browser session, and a cookie would let any web page
  the user visits drive the tools (CSRF). A key without ``MCP_ACCESS`` gets 403 ``forbidden``.
- The Caller goes into the ASGI scope for the tools (kairos.mcp.context), and the SDK's ``user`` is set to the
  key, so a legacy SSE session answers only the key that opened it."""

from __future__ import annotations

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from starlette.authentication import AuthCredentials
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from kairos.api.deps import Caller, key_caller, presented_key, unauthorized
from kairos.api.errors import ApiError, error_body
from kairos.auth.scopes import Scope as KeyScope
from kairos.mcp.context import SCOPE_KEY
from kairos.runtime import Runtime

NO_KEY = "the MCP server needs an API key with the MCP_ACCESS scope: send it as Authorization: Bearer <key>"


async def authenticate(request: Request, runtime: Runtime) -> Caller:
    """The key's Caller; raises ApiError 401 (no key or a wrong one), 429 (too many wrong ones) or 403."""
    key = presented_key(request)
    if key is None:
        raise unauthorized(NO_KEY)
    async with runtime.sessionmaker() as session:
        caller = await key_caller(request, session, key)
    if not caller.has(KeyScope.MCP_ACCESS):
        raise ApiError(403, "forbidden", "this API key lacks the MCP_ACCESS scope")
    return caller


def _as_sdk_user(caller: Caller) -> AuthenticatedUser:
    """The key as the SDK's transports know a principal (they compare ``client_id`` to bind a session)."""
    scopes = sorted(caller.scopes)
    return AuthenticatedUser(AccessToken(token=f"key:{caller.key_id}", client_id=f"key:{caller.key_id}", scopes=scopes))


class RequireMcpKey:
    """ASGI wrapper: authenticate, then hand the request to ``app`` with the caller in its scope."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            caller = await authenticate(Request(scope), self.runtime)
        except ApiError as exc:
            body = error_body(exc.code, exc.message, exc.field)
            await JSONResponse(body, status_code=exc.status, headers=exc.headers)(scope, receive, send)
            return
        user = _as_sdk_user(caller)
        scope = {**scope, SCOPE_KEY: caller, "user": user, "auth": AuthCredentials(user.scopes)}
        await self.app(scope, receive, send)
