"""Sign-in through an OpenID provider: ``/login/oidc`` leaves for the provider, ``/auth/callback`` comes back
(docs/oidc.md). A refused sign-in shows the sign-in page with a message and logs one line."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError

from kairos.api.deps import SessionDep
from kairos.auth import sessions
from kairos.auth.oidc import OidcFailure, OidcLogin, user_for
from kairos.web.deps import PageCaller, PageError, safe_next
from kairos.web.routes.account import render_login, set_session_cookie

router = APIRouter(include_in_schema=False)
log = logging.getLogger("kairos.oidc")


def _login(request: Request) -> OidcLogin:
    login: OidcLogin | None = getattr(request.app.state, "oidc", None)
    if login is None:
        raise PageError(404, "Single sign-on is not enabled on this server.")
    return login


def _redirect_uri(request: Request) -> str:
    configured: str = request.app.state.runtime.settings.oidc_redirect_uri
    return configured or str(request.url_for("oidc_callback"))


def _refused(request: Request, failure: OidcFailure, next_path: str = "/admin") -> Response:
    client = request.client.host if request.client else "?"
    log.warning("OIDC sign-in refused (%s) from %s: %s", failure.status, client, failure.reason)
    return render_login(request, failure.status, next=next_path, error=failure.message)


@router.get("/login/oidc")
async def begin(request: Request, caller: PageCaller, next: str | None = None) -> Response:
    login = _login(request)
    target = safe_next(next)
    if caller.authenticated:
        return RedirectResponse(target, status_code=303)
    try:
        url = await login.begin(request, _redirect_uri(request), target)
    except OidcFailure as failure:
        return _refused(request, failure, target)
    return RedirectResponse(url, status_code=303)


@router.get("/auth/callback", name="oidc_callback")
async def callback(request: Request, session: SessionDep) -> Response:
    login = _login(request)
    try:
        identity, target = await login.finish(request)
        user = await user_for(session, identity)
    except OidcFailure as failure:
        await session.rollback()
        return _refused(request, failure)
    except IntegrityError:  # two first sign-ins of one person at the same moment
        await session.rollback()
        return _refused(request, OidcFailure(409, "Your account was just created: sign in again.", "race"))
    # A fresh session at every sign-in: a token planted before login is worthless after it.
    if old := request.cookies.get(sessions.COOKIE):
        await sessions.end(session, old)
    token, _ = await sessions.start(session, user.id)
    await session.commit()
    log.info("OIDC sign-in: user %s as %s", user.id, user.role)
    return set_session_cookie(RedirectResponse(safe_next(target), status_code=303), request, token)
