"""``/admin/proxies``: the default outbound proxy with its rules (read-only when KAIROS_PROXY_* set it) and the
named proxies a resource may go through. Passwords are write-only: the page shows whether one is stored.

The rules are :mod:`kairos.services.proxies`'s; this is the console adapter."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.api.errors import domain_status
from kairos.api.schemas.proxies import DefaultProxyUpdate, NamedProxyCreate
from kairos.errors import DomainError
from kairos.runtime import Runtime
from kairos.services import proxies as svc
from kairos.web.deps import AdminPage, CheckedForm, Redirect
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)
BASE = "/admin/proxies"
_DONE = {
    "default": "The default proxy was saved. Checks use it from now on.",
    "added": "The proxy was added.",
    "deleted": "The proxy was deleted.",
}


def _text(form: Any, name: str, limit: int = 20_000) -> str:
    return str(form.get(name, ""))[:limit]


async def _page(
    request: Request,
    session: AsyncSession,
    runtime: Runtime,
    code: int = 200,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    proxies = await svc.list_proxies(session, runtime)
    d = proxies.default
    shown = values or {"url": d.url or "", "include": d.include, "exclude": d.exclude, "name": "", "named_url": ""}
    return render(
        request,
        "admin/proxies.html",
        code,
        proxies=proxies,
        values=shown,
        errors=errors or {},
        done=_DONE.get(done, ""),
    )


@router.get(BASE)
async def proxies_page(
    request: Request, _: AdminPage, session: SessionDep, runtime: RuntimeDep, done: str = ""
) -> Response:
    return await _page(request, session, runtime, done=done)


async def _refused(
    request: Request,
    session: AsyncSession,
    runtime: Runtime,
    values: dict[str, str],
    exc: Exception,
    rename: dict[str, str],
) -> Response:
    if isinstance(exc, ValidationError):
        return await _page(request, session, runtime, 422, values=values, errors=form_problems(exc, rename))
    assert isinstance(exc, DomainError)
    field = rename.get(exc.field or "", exc.field or "form")
    return await _page(request, session, runtime, domain_status(exc), values=values, errors={field: exc.message})


@router.post(BASE + "/default")
async def save_default(
    request: Request, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    values = {k: _text(form, k) for k in ("url", "password", "include", "exclude")}
    body: dict[str, Any] = {"url": values["url"].strip() or None, "include": values["include"]}
    body["exclude"] = values["exclude"]
    if values["password"] or form.get("clear_password") == "on":
        body["password"] = values["password"]  # empty with the box ticked: remove the stored one
    values["password"] = ""  # never sent back into the page
    try:
        await svc.set_default(session, runtime, DefaultProxyUpdate.model_validate(body))
    except (ValidationError, DomainError) as exc:
        return await _refused(request, session, runtime, {**values, "name": "", "named_url": ""}, exc, {})
    raise Redirect(BASE + "?done=default")


@router.post(BASE + "/named")
async def add_named(
    request: Request, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    values = {"name": _text(form, "name", 200), "named_url": _text(form, "named_url", 4096)}
    body = {"name": values["name"], "url": values["named_url"], "description": _text(form, "description", 2000)}
    password = _text(form, "named_password", 4096)
    if password:
        body["password"] = password
    try:
        await svc.create_named(session, runtime, NamedProxyCreate.model_validate(body))
    except (ValidationError, DomainError) as exc:
        proxies = await svc.list_proxies(session, runtime)
        d = proxies.default
        shown = {"url": d.url or "", "include": d.include, "exclude": d.exclude, **values}
        return await _refused(request, session, runtime, shown, exc, {"url": "named_url", "password": "named_password"})
    raise Redirect(BASE + "?done=added")


@router.post(BASE + "/named/{name}/delete")
async def delete_named(
    request: Request, name: str, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    try:
        await svc.delete_named(session, runtime, name[:64])
    except DomainError as exc:
        return await _page(request, session, runtime, domain_status(exc), errors={"named": exc.message})
    raise Redirect(BASE + "?done=deleted")
