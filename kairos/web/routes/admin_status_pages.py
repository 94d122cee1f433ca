"""``/admin/status-pages``: the console's list of status pages and their form (admins only).

The rules are kairos/services/status_pages.py's, as for the API. The form posts multipart data so that a logo
can come with it; the logo's checks (raster only, sniffed, 256 KiB) are the service's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile

from kairos.api.deps import SessionDep
from kairos.api.schemas.status_pages import StatusPageCreate, StatusPageUpdate
from kairos.db.models import StatusPage
from kairos.errors import DomainError, NotFound
from kairos.services import status_pages
from kairos.services.announcements import list_announcements
from kairos.services.resources import references
from kairos.services.status_logo import MAX_LOGO_BYTES, check_logo
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)


def _domains_changed(request: Request) -> None:
    domains = getattr(request.app.state, "status_domains", None)
    if domains is not None:
        domains.invalidate()


@router.get("/admin/status-pages")
async def admin_list(request: Request, session: SessionDep, _: AdminPage) -> Response:
    flash = {"saved": "The status page was saved.", "deleted": "The status page was deleted."}
    message = next((text for key, text in flash.items() if key in request.query_params), None)
    rows = await status_pages.list_pages(session)
    return render(request, "admin/status_pages.html", rows=rows, message=message, confirm=None)


def _values_of(row: StatusPage | None) -> dict[str, Any]:
    return {
        "slug": row.slug if row else "",
        "title": row.title if row else "",
        "description": row.description if row else "",
        "domain": (row.domain or "") if row else "",
        "group_ids": [link.group_id for link in row.groups] if row else [],
        "announcement_ids": [link.announcement_id for link in row.announcements] if row else [],
    }


async def _form(
    request: Request, session: AsyncSession, row: StatusPage | None, values: dict[str, Any], errors: dict[str, str]
) -> Response:
    groups, _creds = await references(session)
    chosen = values["group_ids"]
    # The page's groups first, in its order, then the others in their own order.
    ordered = sorted(groups, key=lambda g: (chosen.index(g.id) if g.id in chosen else len(chosen), g.display_order))
    return render(
        request,
        "admin/status_page_form.html",
        422 if errors else 200,
        row=row,
        values=values,
        errors=errors,
        groups=ordered,
        announcements=await list_announcements(session, None),
        max_logo_kib=MAX_LOGO_BYTES // 1024,
    )


def _ids(form: FormData, name: str) -> list[int]:
    return [int(v) for v in form.getlist(name) if isinstance(v, str) and v.isdigit() and len(v) < 11]


def _parse(form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    values = {
        "slug": str(form.get("slug", "")),
        "title": str(form.get("title", "")),
        "description": str(form.get("description", "")).replace("\r\n", "\n"),
        "domain": str(form.get("domain", "")).strip(),
        "group_ids": _ids(form, "group"),
        "announcement_ids": _ids(form, "announcement"),
    }
    data = {
        "slug": values["slug"],
        "title": values["title"],
        "description": values["description"],
        "domain": values["domain"] or None,
        "groupIds": values["group_ids"],
        "announcementIds": values["announcement_ids"],
    }
    return values, data


async def _logo(form: FormData) -> bytes | None:
    upload = form.get("logo")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return await upload.read(MAX_LOGO_BYTES + 1)  # one byte more than allowed is enough to refuse it


async def _save(request: Request, session: AsyncSession, row: StatusPage | None, form: FormData) -> Response:
    values, data = _parse(form)
    row_id = row.id if row is not None else None
    try:
        logo = await _logo(form)
        if logo is not None:
            check_logo(logo)  # before anything is stored: a refused logo changes nothing
        if row is None:
            row = await status_pages.create(session, StatusPageCreate.model_validate(data))
        else:
            row = await status_pages.update(session, row.id, StatusPageUpdate.model_validate(data))
        if form.get("remove_logo") is not None:
            await status_pages.clear_logo(session, row.id)
        elif logo is not None:
            await status_pages.set_logo(session, row.id, logo)
    except ValidationError as exc:
        return await _form(request, session, row, values, form_problems(exc))
    except DomainError as exc:
        await session.rollback()
        row = await status_pages.get(session, row_id) if row_id is not None else None
        if row is not None:
            await session.refresh(row)  # the rollback expired it; the form reads its slug and logo again
        field = (exc.field or "form").split("[")[0]
        return await _form(request, session, row, values, {field: exc.message})
    _domains_changed(request)
    raise Redirect(f"/admin/status-pages?saved={row.id}")


async def _get(session: AsyncSession, page_id: str) -> StatusPage:
    number = int(page_id) if page_id.isascii() and page_id.isdigit() and len(page_id) < 11 else 0
    try:
        return await status_pages.get(session, number)
    except NotFound:
        raise PageError(404, "There is no such status page.") from None


@router.get("/admin/status-pages/new")
async def new_form(request: Request, session: SessionDep, _: AdminPage) -> Response:
    return await _form(request, session, None, _values_of(None), {})


@router.post("/admin/status-pages/new")
async def create(request: Request, _: AdminPage, form: CheckedForm, session: SessionDep) -> Response:
    return await _save(request, session, None, form)


@router.get("/admin/status-pages/{page_id}/edit")
async def edit_form(request: Request, page_id: str, _: AdminPage, session: SessionDep) -> Response:
    row = await _get(session, page_id)
    return await _form(request, session, row, _values_of(row), {})


@router.post("/admin/status-pages/{page_id}/edit")
async def update(request: Request, page_id: str, _: AdminPage, form: CheckedForm, session: SessionDep) -> Response:
    return await _save(request, session, await _get(session, page_id), form)


@router.get("/admin/status-pages/{page_id}/delete")
async def confirm_delete(request: Request, page_id: str, _: AdminPage, session: SessionDep) -> Response:
    row = await _get(session, page_id)
    return render(request, "admin/status_pages.html", rows=[], message=None, confirm=row)


@router.post("/admin/status-pages/{page_id}/delete")
async def delete(request: Request, page_id: str, _: AdminPage, __: CheckedForm, session: SessionDep) -> Response:
    await status_pages.delete(session, (await _get(session, page_id)).id)
    _domains_changed(request)
    raise Redirect("/admin/status-pages?deleted=1")
