"""``/admin/resources/…``: the per-kind add and edit forms and the actions on one resource (the list itself is
kairos/web/routes/admin_resource_list.py).

Writes go through the resource service (kairos/services/resources.py) with the API's body models, so the
console and the REST API accept and refuse exactly the same things; each change reaches the scheduler at
once (``resource_changed``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_group
from kairos.api.deps import Caller, RuntimeDep, SessionDep
from kairos.api.ids import PageId
from kairos.api.schemas.instant_check import InstantCheckRequest, InstantCheckResult
from kairos.api.schemas.resources import ResourceCreate, ResourceUpdate
from kairos.db.models import Resource
from kairos.errors import DomainError, NotFound
from kairos.probes.kinds import all_specs, kind_names, spec_of
from kairos.services import push
from kairos.services import resources as svc
from kairos.services.instant_checks import run_instant_check
from kairos.web import resource_forms as rf
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
from kairos.web.resource_query import back_to_list
from kairos.web.routes.admin_push import token_page
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

LIST = "/admin/resources"


async def _load(session: AsyncSession, resource_id: int) -> Resource:
    try:
        return await svc.load_resource(session, resource_id)
    except NotFound:
        raise PageError(404, "There is no such resource.") from None


async def _choices(session: AsyncSession, caller: Caller | None = None) -> dict[str, Any]:
    """Groups and credentials for a page's selects; with ``caller``, only the groups that caller may see."""
    groups, creds = await svc.references(session)
    shown = [g for g in groups if caller is None or can_see_group(caller, g.visibility)]
    return {"groups": shown, "credentials": creds}


# -- add and edit ------------------------------------------------------------------------------------------


def _form_page(
    request: Request, ctx: dict[str, Any], values: rf.FormValues, errors: dict[str, str], row: Resource | None
) -> Response:
    action = f"{LIST}/{row.id}/edit" if row else f"{LIST}/new?kind={values.kind}"
    return render(
        request,
        "admin/resource_form.html",
        422 if errors else 200,
        values=values,
        errors=errors,
        resource=row,
        action=action,
        kinds=rf.kind_labels(),
        spec=spec_of(values.kind),
        option_fields=rf.option_fields(values.kind),
        target_hint=spec_of(values.kind).target_hint,
        quorum_choices=rf.quorum_choices(values.quorum),
        **ctx,
    )


@router.get("/admin/resources/new")
async def new_form(
    request: Request, _: AdminPage, session: SessionDep, kind: str = "HTTP", target: str = "", name: str = ""
) -> Response:
    values = rf.blank_values(rf.parse_kind(kind), name=name, target=target)
    return _form_page(request, await _choices(session), values, {}, None)


@router.post("/admin/resources/new")
async def create(
    request: Request, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep, kind: str = "HTTP"
) -> Response:
    values = rf.read_form(form, rf.parse_kind(kind))
    body, errors = rf.validate(values, ResourceCreate)
    if body is not None:
        try:
            row = await svc.create_resource(session, body)
        except DomainError as exc:
            await session.rollback()
            errors = dict([rf.error_field(exc)])
        else:
            token = await push.ensure_token(session, row)
            await runtime.scheduler.resource_changed(row.id)
            if token is not None:  # a PUSH resource: its ping URL, shown this once (docs/push.md)
                return token_page(request, runtime, row, token, rotated=False)
            raise Redirect(f"{LIST}?" + urlencode({"created": row.id}))
    return _form_page(request, await _choices(session), values, errors, None)


@router.get("/admin/resources/{resource_id}/edit")
async def edit_form(
    request: Request, _: AdminPage, session: SessionDep, resource_id: PageId, cloned: int | None = None
) -> Response:
    row = await _load(session, resource_id)
    ctx = await _choices(session)
    if cloned is not None:
        ctx["notice"] = "This is a paused copy: change what differs, then tick “Enabled” and save."
    return _form_page(request, ctx, rf.values_from_row(row), {}, row)


@router.post("/admin/resources/{resource_id}/edit")
async def update(
    request: Request, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep, resource_id: PageId
) -> Response:
    row = await _load(session, resource_id)
    values = rf.read_form(form, rf.parse_kind(row.kind))  # the kind of a resource is fixed in the console
    body, errors = rf.validate(values, ResourceUpdate)
    if body is not None:
        try:
            row = await svc.update_resource(session, row, body)
        except DomainError as exc:
            await session.rollback()
            errors = dict([rf.error_field(exc)])
        else:
            await runtime.scheduler.resource_changed(row.id)
            raise Redirect(f"{LIST}?" + urlencode({"updated": row.id}))
    row = await _load(session, resource_id)
    return _form_page(request, await _choices(session), values, errors, row)


# -- actions from the list ---------------------------------------------------------------------------------


async def _set_enabled(session: AsyncSession, runtime: RuntimeDep, resource_id: int, enabled: bool) -> None:
    row = await _load(session, resource_id)
    await svc.set_enabled(session, row, enabled)
    await runtime.scheduler.resource_changed(resource_id)


@router.post("/admin/resources/{resource_id}/enable")
async def enable(
    _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep, resource_id: PageId
) -> None:
    await _set_enabled(session, runtime, resource_id, True)
    raise Redirect(back_to_list(form))


@router.post("/admin/resources/{resource_id}/disable")
async def disable(
    _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep, resource_id: PageId
) -> None:
    await _set_enabled(session, runtime, resource_id, False)
    raise Redirect(back_to_list(form))


@router.get("/admin/resources/{resource_id}/delete")
async def delete_confirm(request: Request, _: AdminPage, session: SessionDep, resource_id: PageId) -> Response:
    """The confirmation step without JavaScript (with it, the list asks in a dialog and posts directly)."""
    row = await _load(session, resource_id)
    return render(request, "admin/resource_delete.html", resource=row)


@router.post("/admin/resources/{resource_id}/delete")
async def delete(
    _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep, resource_id: PageId
) -> None:
    try:
        row = await svc.delete_resource(session, resource_id)
    except NotFound:
        raise PageError(404, "There is no such resource.") from None
    runtime.scheduler.resource_deleted(resource_id)
    raise Redirect(f"{LIST}?" + urlencode({"deleted": row.name[:200]}))


@router.post("/admin/resources/{resource_id}/check")
async def check_now(
    _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep, resource_id: PageId
) -> None:
    """Check now without JavaScript: the list shows the fresh result (from the scheduler's state) on top."""
    row = await _load(session, resource_id)
    await session.close()  # a check can take up to its timeout: do not hold a connection meanwhile
    if await runtime.scheduler.check_now(row.id) is None:
        raise PageError(409, "This resource is not scheduled: its stored configuration is invalid.")
    raise Redirect(back_to_list(form, checked=row.id))


# -- instant check -----------------------------------------------------------------------------------------


async def _instant_page(
    request: Request,
    caller: Caller,
    session: AsyncSession,
    values: dict[str, Any],
    errors: dict[str, str],
    result: InstantCheckResult | None = None,
) -> Response:
    creds = (await _choices(session))["credentials"] if caller.is_admin else []
    track = None
    if result is not None and caller.is_admin:
        query = {"kind": values["kind"], "target": values["target"].strip(), "name": values["target"].strip()}
        track = f"{LIST}/new?" + urlencode(query)
    return render(
        request,
        "admin/instant_check.html",
        422 if errors else 200,
        values=values,
        errors=errors,
        result=result,
        track=track,
        credentials=creds,
        kinds=rf.kind_labels(),
        kind_choices=list(rf.kind_labels().items()),
        specs={s.name: s for s in all_specs()},
        tls_kinds=[s.name for s in all_specs() if s.uses_tls],
        option_fields={s.name: s.form_fields for s in all_specs()},
        target_hints=rf.target_hints(),
    )


@router.get("/admin/instant-check")
async def instant_check_page(
    request: Request, caller: AdminPage, session: SessionDep, kind: str = "HTTP", target: str = ""
) -> Response:
    values = {
        "kind": rf.parse_kind(kind),
        "target": target[:2048],
        "skipTLS": False,
        "timeoutSeconds": "",
        "credentialId": "",
        "options": {k: rf.blank_values(k).options for k in kind_names()},
    }
    return await _instant_page(request, caller, session, values, {})


@router.post("/admin/instant-check")
async def instant_check_run(
    request: Request, caller: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The page's form without JavaScript: the same check as ``POST /api/instant-check`` (admins only, same
    target policy and slots), rendered here."""
    kind = rf.parse_kind(str(form.get("resourceType", "")))
    typed = rf.read_options(form, kind)
    timeout, credential = str(form.get("timeoutSeconds", ""))[:32], str(form.get("credentialId", ""))[:16]
    values: dict[str, Any] = {
        "kind": kind,
        "target": str(form.get("target", ""))[:2048],
        "skipTLS": "skipTLS" in form,
        "timeoutSeconds": timeout,
        "credentialId": credential,
        "options": {k: typed if k == kind else rf.blank_values(k).options for k in kind_names()},
    }
    options, errors = rf.options_body(kind, typed)
    body = {
        "resourceType": kind,
        "target": values["target"],
        "skipTLS": values["skipTLS"] and spec_of(kind).uses_tls,
        "options": options,
        "timeoutSeconds": timeout.strip() or None,
        "credentialId": credential.strip() or None,
    }
    try:
        parsed = InstantCheckRequest.model_validate(body)
    except ValidationError as exc:
        errors = {**rf.errors_of(exc), **errors}
    if errors:
        return await _instant_page(request, caller, session, values, errors)
    try:
        result = await run_instant_check(runtime, session, caller, parsed, runtime.instant_checks)
    except DomainError as exc:
        key, message = rf.error_field(exc)
        return await _instant_page(request, caller, session, values, {key: message})
    return await _instant_page(request, caller, session, values, {}, result)
