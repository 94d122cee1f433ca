"""Who is looking at a page, and the guards of the console: sign-in, admin role, CSRF on every form."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData

from kairos.access.mode import sign_in_required
from kairos.api.deps import Caller, SessionDep, session_caller
from kairos.web.templating import csrf_token


class PageError(Exception):
    """Rendered as an HTML error page with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


# The pages a session that must choose a new password may still use: the change form, signing out, and
# signing in (as someone else). Every other page, public ones included, sends it to the change form.
_PASSWORD_CHANGE_PAGES = frozenset({"/account/password", "/logout", "/login"})


async def page_caller(request: Request, session: SessionDep) -> Caller:
    caller = await session_caller(request, session)
    if caller.must_change_password and request.url.path not in _PASSWORD_CHANGE_PAGES:
        raise Redirect("/account/password")
    if not caller.authenticated and sign_in_required(request.app.state.runtime.settings, request.url.path):
        raise Redirect(_login_url(request))
    return caller


def _login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(here, safe="/")


PageCaller = Annotated[Caller, Depends(page_caller)]


def safe_next(target: str | None, default: str = "/admin") -> str:
    """Only same-site paths: ``//evil.example`` and ``https://…`` would make the login an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


async def require_user(request: Request, caller: PageCaller) -> Caller:
    if not caller.authenticated:
        raise Redirect(_login_url(request))
    return caller


UserPage = Annotated[Caller, Depends(require_user)]


async def require_admin(caller: UserPage) -> Caller:
    if not caller.is_admin:
        raise PageError(403, "This page needs an admin.")
    return caller


AdminPage = Annotated[Caller, Depends(require_admin)]


async def checked_form(request: Request, _: PageCaller) -> FormData:
    """The submitted form, after its CSRF token was compared with the caller's (constant time)."""
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, csrf_token(request)):
        raise PageError(403, "The form has expired or did not come from this site. Reload the page and try again.")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
