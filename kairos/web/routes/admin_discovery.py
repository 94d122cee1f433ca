"""``/admin/discovery``: registry discovery sources: list, add, edit, delete, preview a sync and sync now.

Every change goes through the discovery-source service (kairos/services/discovery_sources.py), so the page and
``/api/discovery-sources`` validate, encrypt the password and sync exactly alike. Form fields carry the API's
names (``tagFilter``, ``intervalSeconds``, …), so a validation error names the field it belongs to."""

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
from kairos.errors import NotFound
from kairos.runtime import Runtime
from kairos.services import discovery_sources as svc
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

TEXT = ("name", "prefix", "tagFilter", "intervalSeconds", "parallelism", "username")
FLAGS = ("recursive", "insecureHttp", "skipTLS", "active")
OPTIONAL = ("tagFilter", "username")  # blank means none
_DONE = {"created": "The source was added.", "saved": "The source was saved.", "deleted": "The source was deleted."}
_NEW = {"name": "", "prefix": "", "tagFilter": "", "intervalSeconds": "3600", "parallelism": "1", "username": "",
        "recursive": False, "insecureHttp": False, "skipTLS": False, "active": True}  # fmt: skip


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
    return values


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """The API body for the form's values: blank optional fields become null."""
    return {k: (None if k in OPTIONAL and v == "" else v) for k, v in values.items()}


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
    password = str(form.get("password", ""))[:5000]
    try:
        body = DiscoverySourceCreate.model_validate({**_body(values), "password": password or None})
    except ValidationError as exc:
        return _form(request, None, values, code=422, errors=form_problems(exc))
    await svc.create_source(session, runtime.box, body)
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
        "name": s.name, "prefix": s.prefix, "tagFilter": s.tag_filter or "", "intervalSeconds": str(s.interval_seconds),
        "parallelism": str(s.parallelism), "username": s.username or "", "recursive": s.recursive,
        "insecureHttp": s.insecure_http, "skipTLS": s.skip_tls, "active": s.active,
    }  # fmt: skip
    return _form(request, s, values)


@router.post("/admin/discovery/{source_id}")
async def edit(
    request: Request, source_id: PageId, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    source = await _source(session, source_id)
    values = _values(form)
    body = _body(values)
    # The password is never sent to the page: blank keeps it, the box removes it.
    if form.get("removePassword") == "on":
        body["password"] = None
    elif password := str(form.get("password", ""))[:5000]:
        body["password"] = password
    try:
        update = DiscoverySourceUpdate.model_validate(body)
    except ValidationError as exc:
        return _form(request, source, values, code=422, errors=form_problems(exc))
    try:
        await svc.update_source(session, runtime.box, source_id, update)
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
