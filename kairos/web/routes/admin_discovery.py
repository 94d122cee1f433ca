"""``/admin/discovery``: discovery sources (registry and Kubernetes): list, add, edit, delete, preview a sync
and sync now.

Every change goes through the discovery-source service (kairos/services/discovery_sources.py), so the page and
``/api/discovery-sources`` validate, encrypt the password and token and sync exactly alike. Form fields carry
the API's names (``tagFilter``, ``apiUrl``, …), so a validation error names the field it belongs to. The form
shows the fields of both kinds (a small script hides the other kind's); only the chosen kind's are sent on."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.api.ids import PageId
from kairos.api.schemas.discovery import (
    DiscoverySourceCreate,
    DiscoverySourcePublic,
    DiscoverySourceUpdate,
    SyncReportPublic,
)
from kairos.errors import Invalid, NotFound
from kairos.runtime import Runtime
from kairos.services import discovery_sources as svc
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

TEXT = ("name", "kind", "prefix", "tagFilter", "intervalSeconds", "parallelism", "username", "apiUrl", "namespaces")
FLAGS = ("recursive", "insecureHttp", "skipTLS", "active", "latestOnly", "annotationOnly")
OPTIONAL = ("tagFilter", "username", "apiUrl", "caCertificate")  # blank means none
OBJECT_KINDS = ("ROUTE", "INGRESS", "HTTPROUTE")
_COMMON = ("name", "kind", "intervalSeconds", "parallelism", "skipTLS", "active")
_OWN = {
    "REGISTRY": ("prefix", "tagFilter", "username", "recursive", "insecureHttp", "latestOnly"),
    "KUBERNETES": ("apiUrl", "caCertificate", "namespaces", "annotationOnly", "objectKinds"),
}
_DONE = {"created": "The source was added.", "saved": "The source was saved.", "deleted": "The source was deleted."}
_NEW = {"name": "", "kind": "REGISTRY", "prefix": "", "tagFilter": "", "intervalSeconds": "3600", "parallelism": "1",
        "username": "", "recursive": False, "insecureHttp": False, "skipTLS": False, "active": True,
        "latestOnly": False, "apiUrl": "", "namespaces": "", "caCertificate": "", "annotationOnly": False,
        "objectKinds": list(OBJECT_KINDS)}  # fmt: skip


def _missing() -> PageError:
    return PageError(404, "There is no such discovery source.")


async def _sources(session: AsyncSession) -> list[tuple[DiscoverySourcePublic, int]]:
    counts = await svc.resource_counts(session)
    return [(s, counts.get(s.id, 0)) for s in await svc.list_sources(session)]


async def _list(request: Request, session: AsyncSession, **ctx: Any) -> Response:
    notice = _DONE.get(str(request.query_params.get("done", "")))
    sources = await _sources(session)
    return render(request, "admin/discovery.html", sources=sources, notice=notice, **ctx)


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(form.get(k, "")).strip()[:4096] for k in TEXT}
    values.update({k: form.get(k) == "on" for k in FLAGS})
    values["caCertificate"] = str(form.get("caCertificate", "")).strip()[:70_000]
    values["objectKinds"] = [str(v) for v in form.getlist("objectKinds")][: len(OBJECT_KINDS)]
    values["kind"] = values["kind"] or "REGISTRY"
    return values


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """The API body for the form's values, with only the chosen kind's fields: blank optional fields become null;
    namespaces are separated by commas or spaces."""
    kind = str(values.get("kind"))
    body = {k: values[k] for k in (*_COMMON, *_OWN.get(kind, ()))}  # an unknown kind: the model names it
    if kind == "KUBERNETES":
        body["namespaces"] = values["namespaces"].replace(",", " ").split()
    return {k: (None if k in OPTIONAL and v == "" else v) for k, v in body.items()}


def _problems(errors: dict[str, str]) -> dict[str, str]:
    """``namespaces[2]`` is the form's ``namespaces`` field."""
    out: dict[str, str] = {}
    for name, message in errors.items():
        out.setdefault(name.partition("[")[0], message)
    return out


def _secret(form: FormData, body: dict[str, Any], field: str, remove: str | None = None) -> None:
    """A stored secret is never sent to the page: blank keeps it, the box removes it."""
    if remove is not None and form.get(remove) == "on":
        body[field] = None
    elif value := str(form.get(field, ""))[:17_000]:
        body[field] = value


def _form(request: Request, source: DiscoverySourcePublic | None, values: dict[str, Any], **ctx: Any) -> Response:
    code = ctx.pop("code", 200)
    ctx.setdefault("errors", {})
    return render(request, "admin/discovery_form.html", code, source=source, values=values, **ctx)


@router.get("/admin/discovery")
async def sources_page(request: Request, _: AdminPage, session: SessionDep) -> Response:
    return await _list(request, session)


@router.get("/admin/discovery/new")
async def new_page(request: Request, _: AdminPage) -> Response:
    return _form(request, None, dict(_NEW))


@router.post("/admin/discovery/new")
async def create(
    request: Request, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    values = _values(form)
    body = _body(values)
    _secret(form, body, "token" if values["kind"] == "KUBERNETES" else "password")
    try:
        await svc.create_source(session, runtime.box, DiscoverySourceCreate.model_validate(body))
    except ValidationError as exc:
        return _form(request, None, values, code=422, errors=_problems(form_problems(exc)))
    except Invalid as exc:
        return _form(request, None, values, code=422, errors={exc.field or "form": exc.message})
    raise Redirect("/admin/discovery?done=created")


async def _source(session: AsyncSession, source_id: int) -> DiscoverySourcePublic:
    try:
        return await svc.get_source(session, source_id)
    except NotFound:
        raise _missing() from None


@router.get("/admin/discovery/{source_id}")
async def edit_page(request: Request, source_id: PageId, _: AdminPage, session: SessionDep) -> Response:
    s = await _source(session, source_id)
    values = {
        "name": s.name, "kind": s.kind, "prefix": s.prefix or "", "tagFilter": s.tag_filter or "",
        "intervalSeconds": str(s.interval_seconds), "parallelism": str(s.parallelism), "username": s.username or "",
        "recursive": s.recursive, "insecureHttp": s.insecure_http, "skipTLS": s.skip_tls, "active": s.active,
        "latestOnly": s.latest_only, "apiUrl": s.api_url or "", "namespaces": ", ".join(s.namespaces),
        "caCertificate": s.ca_certificate or "", "annotationOnly": s.annotation_only, "objectKinds": s.object_kinds,
    }  # fmt: skip
    return _form(request, s, values)


@router.post("/admin/discovery/{source_id}")
async def edit(
    request: Request, source_id: PageId, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    source = await _source(session, source_id)
    values = {**_values(form), "kind": source.kind}  # the kind never changes
    body = _body(values)
    if source.kind == "KUBERNETES":
        _secret(form, body, "token", "removeToken")
    else:
        _secret(form, body, "password", "removePassword")
    try:
        update = DiscoverySourceUpdate.model_validate(body)
        await svc.update_source(session, runtime.box, source_id, update)
    except ValidationError as exc:
        return _form(request, source, values, code=422, errors=_problems(form_problems(exc)))
    except Invalid as exc:
        return _form(request, source, values, code=422, errors={exc.field or "form": exc.message})
    except NotFound:
        raise _missing() from None
    raise Redirect("/admin/discovery?done=saved")


@router.post("/admin/discovery/{source_id}/delete")
async def delete(source_id: PageId, _: AdminPage, __: CheckedForm, session: SessionDep) -> Response:
    try:
        await svc.delete_source(session, source_id)
    except NotFound:
        raise _missing() from None
    raise Redirect("/admin/discovery?done=deleted")


@router.post("/admin/discovery/{source_id}/sync")
async def sync(
    request: Request, source_id: PageId, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """``dryRun=1`` previews (nothing changes); otherwise the sync is applied. The answer shows the report."""
    dry_run = form.get("dryRun") == "1"
    report = await _run_sync(runtime, source_id, dry_run)
    source = await _source(session, source_id)
    return await _list(request, session, report=report, report_source=source)


async def _run_sync(runtime: Runtime, source_id: int, dry_run: bool) -> SyncReportPublic:
    try:
        return await svc.sync_now(runtime, source_id, dry_run)
    except NotFound:
        raise _missing() from None
