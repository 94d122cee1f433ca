"""``/admin/groups``: create, rename and delete groups (plain forms), and the board where groups and their
resources are put in order by dragging or with the keyboard (static/js/admin-groups.js, through the order API).

The forms call kairos/services/groups.py, as the API does, so a page and the API refuse the same things the
same way."""

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
from kairos.api.schemas.groups import GroupCreate, GroupUpdate
from kairos.errors import DomainError, NotFound
from kairos.services import groups
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

VISIBILITIES = (
    ("PUBLIC", "Public: anyone"),
    ("AUTHENTICATED", "Signed-in users and API callers only"),
    ("HIDDEN", "Hidden from the dashboard"),
)
_DONE = {"created": "The group was created.", "saved": "The group was saved.", "deleted": "The group was deleted."}


async def _page(request: Request, session: AsyncSession, code: int = 200, **ctx: Any) -> Response:
    ctx.setdefault("values", {"name": "", "visibility": "PUBLIC"})
    ctx.setdefault("errors", {})
    ctx.setdefault("edit", {})
    notice = _DONE.get(str(request.query_params.get("done", "")))
    board = await groups.board(session)
    return render(request, "admin/groups.html", code, visibilities=VISIBILITIES, notice=notice, **board, **ctx)


def _values(form: FormData) -> dict[str, str]:
    return {"name": str(form.get("name", ""))[:1000], "visibility": str(form.get("visibility", ""))[:20]}


@router.get("/admin/groups")
async def groups_page(request: Request, _: AdminPage, session: SessionDep) -> Response:
    return await _page(request, session)


@router.post("/admin/groups")
async def create(request: Request, _admin: AdminPage, form: CheckedForm, session: SessionDep) -> Response:
    values = _values(form)
    try:
        await groups.create_group(session, GroupCreate.model_validate(values))
    except ValidationError as exc:
        return await _page(request, session, 422, values=values, errors=form_problems(exc))
    except DomainError as exc:
        errors = {exc.field or "name": exc.message}
        return await _page(request, session, domain_status(exc), values=values, errors=errors)
    raise Redirect("/admin/groups?done=created")


@router.post("/admin/groups/{group_id}")
async def edit(
    request: Request, group_id: PageId, _admin: AdminPage, form: CheckedForm, session: SessionDep
) -> Response:
    values = _values(form)
    try:
        await groups.update_group(session, group_id, GroupUpdate.model_validate(values))
    except ValidationError as exc:
        return await _edit_failed(request, session, group_id, 422, values, form_problems(exc))
    except NotFound:
        raise PageError(404, "There is no such group.") from None
    except DomainError as exc:
        errors = {exc.field or "name": exc.message}
        return await _edit_failed(request, session, group_id, domain_status(exc), values, errors)
    raise Redirect(f"/admin/groups?done=saved#edit-{group_id}")


async def _edit_failed(
    request: Request, session: AsyncSession, group_id: int, code: int, values: dict[str, str], errors: dict[str, str]
) -> Response:
    await session.rollback()
    return await _page(request, session, code, edit={"id": group_id, "values": values, "errors": errors})


@router.post("/admin/groups/{group_id}/delete")
async def delete(group_id: PageId, _admin: AdminPage, _: CheckedForm, session: SessionDep) -> Response:
    try:
        await groups.delete_group(session, group_id)
    except NotFound:
        raise PageError(404, "There is no such group.") from None
    raise Redirect("/admin/groups?done=deleted")
