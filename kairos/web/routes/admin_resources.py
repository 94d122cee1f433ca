"""``/admin/resources``: the list with filters and actions, and the per-kind add and edit forms.

Writes go through the resource service (kairos/services/resources.py) with the API's body models, so the
console and the REST API accept and refuse exactly the same things; each change reaches the scheduler at
once (``resource_changed``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.access.visibility import can_see_group, can_see_resource
from kairos.api.deps import Caller, RuntimeDep, SessionDep
from kairos.api.ids import PageId
from kairos.api.schemas.instant_check import InstantCheckRequest, InstantCheckResult
from kairos.api.schemas.resources import ResourceCreate, ResourceUpdate
from kairos.db.models import Resource, ResourceGroup
from kairos.errors import DomainError, NotFound
from kairos.probes.base import Status
from kairos.probes.kinds import all_specs, kind_names, spec_of
from kairos.scheduler.board import RuntimeState
from kairos.services import push
from kairos.services import resources as svc
from kairos.services.instant_checks import run_instant_check
from kairos.services.tags import all_tags
from kairos.web import resource_forms as rf
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect, UserPage, safe_next
from kairos.web.routes.admin_push import token_page
from kairos.web.routes.admin_resource_actions import bulk_notice
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

LIST = "/admin/resources"
STATUSES = (
    ("available", "Available"), ("not-available", "Not available"), ("unknown", "Unknown"),
    ("maintenance", "Maintenance"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Filters:
    q: str = ""
    kind: str = ""
    status: str = ""
    group: str = ""
    enabled: str = ""  # "yes", "no" or "" (all)
    tag: str = ""  # "key:value" (docs/tags.md)

    @property
    def active(self) -> bool:
        return any((self.q, self.kind, self.status, self.group, self.enabled, self.tag))

    def keep(self, row: Resource, status: str, groups: list[ResourceGroup]) -> bool:
        """``groups``: the row's groups the caller may see, so a filter cannot probe a HIDDEN group's members."""
        needle = self.q.strip().lower()
        if needle and needle not in row.name.lower() and needle not in row.target.lower():
            return False
        if self.kind and row.kind != self.kind.upper():
            return False
        if self.status and status != self.status:
            return False
        if self.group and self.group not in {str(g.id) for g in groups}:
            return False
        if self.tag and self.tag not in {f"{t.key}:{t.value}" for t in row.tags}:
            return False
        return not (self.enabled and row.enabled != (self.enabled == "yes"))


def _status_of(state: RuntimeState | None) -> str:
    if state is None or state.last_checked_at is None:
        return Status.UNKNOWN.api_name
    return state.status.api_name


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


def _groups_of(caller: Caller, row: Resource) -> list[ResourceGroup]:
    """The resource's groups this caller may see, by name (a PUBLIC member never names its HIDDEN group)."""
    return sorted((m.group for m in row.memberships if can_see_group(caller, m.group.visibility)), key=lambda g: g.name)


_NOTICES = ("checked", "created", "updated", "deleted", "bulk", "n")
_RESOURCE_PAGE = re.compile(r"/resources/[0-9]{1,10}")


def _back(form: Any, **notice: Any) -> str:
    """The list as the form's page showed it (its filters), with this action's notice instead of older ones."""
    target = safe_next(str(form.get("back", "") or ""), LIST)
    parts = urlsplit(target)
    if _RESOURCE_PAGE.fullmatch(parts.path):
        return parts.path  # the public resource page's admin actions return there (it shows the fresh state)
    if parts.path != LIST:
        return LIST + "?" + urlencode(notice) if notice else LIST
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in _NOTICES] + list(notice.items())
    return LIST + ("?" + urlencode(query) if query else "")


@router.get("/admin/resources")
async def resource_list(
    request: Request,
    caller: UserPage,
    session: SessionDep,
    runtime: RuntimeDep,
    q: str = "",
    kind: str = "",
    status: str = "",
    group: str = "",
    enabled: str = "",
    tag: str = "",
    checked: int | None = None,
    created: int | None = None,
    updated: int | None = None,
    deleted: str = "",
    bulk: str = "",
    n: str = "",
) -> Response:
    filters = Filters(q[:200], kind[:16], status[:16], group[:16], enabled[:4], tag[:200])
    states = runtime.board.states
    stored = await svc.list_resources(session)
    # USERs open this page too: the API's visibility rule decides what they see (a HIDDEN resource, or a
    # HIDDEN group's name, never reaches them), not a rule of this page's own.
    rows = [r for r in stored if can_see_resource(caller, r)]
    listed = [(r, _status_of(states.get(r.id)), _groups_of(caller, r)) for r in rows]
    items = [
        {"row": r, "status": now, "state": states.get(r.id), "groups": groups}
        for r, now, groups in listed
        if filters.keep(r, now, groups)
    ]
    result = next(({"row": r, "state": states.get(r.id)} for r in rows if r.id == checked), None)
    named = {r.id: r.name for r in rows}
    notice = f"Added {named[created]}." if created in named else f"Saved {named[updated]}." if updated in named else ""
    if deleted:
        notice = f"Deleted {deleted[:200]}."
    if bulk:
        notice = bulk_notice(bulk[:40], n[:8])
    here = _back({"back": request.url.path + (f"?{request.url.query}" if request.url.query else "")})
    return render(
        request,
        "admin/resources.html",
        items=items,
        total=len(rows),
        filters=filters,
        kinds=rf.kind_labels(),
        statuses=STATUSES,
        tags=await all_tags(session),
        checked=result,
        notice=notice,
        here=here,
        **await _choices(session, caller),
    )


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
    raise Redirect(_back(form))


@router.post("/admin/resources/{resource_id}/disable")
async def disable(
    _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep, resource_id: PageId
) -> None:
    await _set_enabled(session, runtime, resource_id, False)
    raise Redirect(_back(form))


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
    raise Redirect(_back(form, checked=row.id))


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
