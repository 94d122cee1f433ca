"""``/admin/users``: list, create, edit, reset the password of, and delete user accounts (admins only).

Plain forms, no script. The forms go through the API's models and kairos/services/users.py, so the page refuses the
same things the API does (a weak password, a taken email, the last admin) and shows why next to the field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from kairos.api.deps import SessionDep
from kairos.api.errors import domain_status
from kairos.api.ids import PageId
from kairos.api.schemas.users import UserCreate, UserUpdate
from kairos.db.models import AppUser
from kairos.errors import DomainError, NotFound
from kairos.services import users
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

ROLES = (("USER", "USER: sees everything not hidden, changes nothing"), ("ADMIN", "ADMIN: may change anything"))
_DONE = {
    "created": "The user was created.",
    "saved": "The user was saved.",
    "password": "The password was reset; the user was signed out everywhere.",
    "deleted": "The user was deleted.",
}
# API field names (camelCase) → the names of this page's inputs.
_RENAME = {"mustChangePassword": "must_change_password"}


def _text(form: FormData, name: str, limit: int = 1100) -> str:
    return str(form.get(name, ""))[:limit]


def _errors(exc: DomainError) -> dict[str, str]:
    return {_RENAME.get(exc.field or "", exc.field or "form"): exc.message}


@router.get("/admin/users")
async def users_page(request: Request, _: AdminPage, session: SessionDep) -> Response:
    notice = _DONE.get(str(request.query_params.get("done", "")))
    return render(request, "admin/users.html", users=await users.list_users(session), notice=notice)


# ---- create -----------------------------------------------------------------------------------------------


def _new_form(request: Request, code: int = 200, **ctx: Any) -> Response:
    ctx.setdefault("values", {"email": "", "name": "", "role": "USER", "enabled": True, "must_change_password": True})
    ctx.setdefault("errors", {})
    return render(request, "admin/user_form.html", code, user=None, roles=ROLES, **ctx)


@router.get("/admin/users/new")
async def new_user_page(request: Request, _: AdminPage) -> Response:
    return _new_form(request)


@router.post("/admin/users")
async def create(request: Request, _: AdminPage, form: CheckedForm, session: SessionDep) -> Response:
    values: dict[str, Any] = {
        "email": _text(form, "email"),
        "name": _text(form, "name").strip(),
        "role": _text(form, "role", 20),
        # A checkbox that is not ticked is not sent at all.
        "enabled": "enabled" in form,
        "must_change_password": "must_change_password" in form,
    }
    body = {**values, "name": values["name"] or None, "password": _text(form, "password")}
    try:
        await users.create_user(session, users.NewUser.of(UserCreate.model_validate(body)))
    except ValidationError as exc:
        return _new_form(request, 422, values=values, errors=form_problems(exc, _RENAME))
    except DomainError as exc:
        return _new_form(request, domain_status(exc), values=values, errors=_errors(exc))
    raise Redirect("/admin/users?done=created")


# ---- edit, password reset, delete --------------------------------------------------------------------------


async def _user(session: AsyncSession, user_id: int) -> AppUser:
    try:
        return await users.get_user(session, user_id)
    except NotFound:
        raise PageError(404, "There is no such user.") from None


async def _edit_form(request: Request, session: AsyncSession, user_id: int, code: int = 200, **ctx: Any) -> Response:
    user = await _user(session, user_id)
    ctx.setdefault("values", {"name": user.name or "", "role": user.role, "enabled": user.enabled})
    ctx.setdefault("errors", {})
    ctx.setdefault("password_errors", {})
    ctx.setdefault("delete_error", None)
    return render(request, "admin/user_form.html", code, user=user, roles=ROLES, **ctx)


@router.get("/admin/users/{user_id}")
async def edit_page(request: Request, user_id: PageId, _: AdminPage, session: SessionDep) -> Response:
    return await _edit_form(request, session, user_id)


@router.post("/admin/users/{user_id}")
async def edit(request: Request, user_id: PageId, _: AdminPage, form: CheckedForm, session: SessionDep) -> Response:
    await _user(session, user_id)
    values: dict[str, Any] = {
        "name": _text(form, "name").strip(),
        "role": _text(form, "role", 20),
        "enabled": "enabled" in form,
    }
    try:
        body = UserUpdate.model_validate({**values, "name": values["name"] or None})
        await users.update_user(session, user_id, users.changes_of(body))
    except ValidationError as exc:
        return await _edit_form(request, session, user_id, 422, values=values, errors=form_problems(exc))
    except DomainError as exc:
        return await _edit_form(request, session, user_id, domain_status(exc), values=values, errors=_errors(exc))
    raise Redirect(f"/admin/users?done=saved#user-{user_id}")


@router.post("/admin/users/{user_id}/password")
async def reset_password(
    request: Request, user_id: PageId, _: AdminPage, form: CheckedForm, session: SessionDep
) -> Response:
    user = await _user(session, user_id)
    password, again = _text(form, "password"), _text(form, "again")
    must_change = "must_change_password" in form
    if password != again:
        problems = {"again": "The two passwords differ."}
        return await _edit_form(request, session, user_id, 422, password_errors=problems, must_change=must_change)
    try:
        await users.update_user(
            session, user.id, users.UserChanges(password=password, must_change_password=must_change)
        )
    except DomainError as exc:
        problems = {"password": exc.message}
        return await _edit_form(
            request, session, user_id, domain_status(exc), password_errors=problems, must_change=must_change
        )
    raise Redirect(f"/admin/users?done=password#user-{user_id}")


@router.post("/admin/users/{user_id}/delete")
async def delete(request: Request, user_id: PageId, _: AdminPage, __: CheckedForm, session: SessionDep) -> Response:
    await _user(session, user_id)
    try:
        await users.delete_user(session, user_id)
    except DomainError as exc:
        return await _edit_form(request, session, user_id, domain_status(exc), delete_error=exc.message)
    raise Redirect("/admin/users?done=deleted")
