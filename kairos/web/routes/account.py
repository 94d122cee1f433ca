"""Sign-in, sign-out and the password change (forced at the default admin's first login)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kairos.api.deps import RuntimeDep, SessionDep, client_address
from kairos.auth import sessions
from kairos.auth.oidc import local_login_allowed
from kairos.auth.password_signin import MAX_EMAIL, TooManyAttempts, WrongPassword, check_password
from kairos.auth.passwords import hash_password, verify_password
from kairos.services.password_policy import password_problem
from kairos.services.users import get_user, record_login
from kairos.web.deps import CheckedForm, PageCaller, UserPage, safe_next
from kairos.web.templating import is_https, render

router = APIRouter(include_in_schema=False)


def set_session_cookie(response: Response, request: Request, token: str) -> Response:
    """Hands the browser its session (password and OIDC sign-in alike)."""
    response.set_cookie(
        sessions.COOKIE,
        token,
        max_age=int(sessions.LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    return response


def render_login(
    request: Request, status: int = 200, *, next: str = "/admin", email: str = "", error: str | None = None
) -> HTMLResponse:
    """The sign-in page: the password form and/or the single sign-on button, as configured."""
    settings = request.app.state.runtime.settings
    return render(
        request,
        "login.html",
        status,
        next=next,
        email=email,
        error=error,
        local_login=local_login_allowed(settings),
        oidc_enabled=settings.oidc_enabled,
        oidc_display_name=settings.oidc_display_name,
    )


@router.get("/login")
async def login_page(request: Request, caller: PageCaller, next: str | None = None) -> Response:
    if caller.authenticated:
        return RedirectResponse(safe_next(next), status_code=303)
    return render_login(request, next=safe_next(next))


@router.post("/login")
async def login(request: Request, form: CheckedForm, session: SessionDep, runtime: RuntimeDep) -> Response:
    email = str(form.get("email", "")).strip()[:MAX_EMAIL]
    password = str(form.get("password", ""))[:1024]
    target = safe_next(str(form.get("next", "") or ""))

    def fail(message: str, status: int = 401) -> HTMLResponse:
        return render_login(request, status, next=target, email=email, error=message)

    if not local_login_allowed(runtime.settings):
        return fail("Signing in with a password is turned off here: use the single sign-on button.", 403)
    try:
        user = await check_password(session, runtime.login_throttle, email, password, client_address(request))
    except TooManyAttempts:
        return fail("Too many failed sign-ins. Wait a few minutes and try again.", 429)
    except WrongPassword:
        return fail("Wrong email or password.")
    # A fresh session at every sign-in: a token planted before login is worthless after it.
    if old := request.cookies.get(sessions.COOKIE):
        await sessions.end(session, old)
    token, _ = await sessions.start(session, user.id)
    record_login(user)
    await session.commit()
    goto = "/account/password" if user.must_change_password else target
    return set_session_cookie(RedirectResponse(goto, status_code=303), request, token)


@router.post("/logout")
async def logout(request: Request, _: CheckedForm, session: SessionDep) -> Response:
    if token := request.cookies.get(sessions.COOKIE):
        await sessions.end(session, token)
        await session.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@router.get("/account/password")
async def password_page(request: Request, caller: UserPage) -> Response:
    return render(request, "password.html", errors={}, forced=caller.must_change_password)


@router.post("/account/password")
async def change_password(request: Request, caller: UserPage, form: CheckedForm, session: SessionDep) -> Response:
    assert caller.user_id is not None  # UserPage: a signed-in user
    user = await get_user(session, caller.user_id)
    current, new, again = (str(form.get(k, ""))[:1024] for k in ("current", "new", "again"))
    errors: dict[str, str] = {}
    if user.provider != "LOCAL":
        errors["current"] = "This account signs in through your identity provider."
    elif not await asyncio.to_thread(verify_password, user.password_hash, current):
        errors["current"] = "This is not your current password."
    elif problem := password_problem(new, user.email, current):
        errors["new"] = problem
    elif new != again:
        errors["again"] = "The two new passwords differ."
    if errors:
        return render(request, "password.html", 422, errors=errors, forced=caller.must_change_password)
    user.password_hash = await asyncio.to_thread(hash_password, new)
    user.must_change_password = False
    # Every other browser signed in as this user is signed out; this one gets a new session.
    await sessions.end_all(session, user.id)
    token, _ = await sessions.start(session, user.id)
    await session.commit()
    return set_session_cookie(RedirectResponse("/admin?changed=1", status_code=303), request, token)
