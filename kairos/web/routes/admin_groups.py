"""``/admin/groups``: create, rename and delete groups (plain forms), and the board where groups and their
resources are put in order by dragging or with the keyboard (static/js/admin-groups.js, through the order API).

The forms reuse the API's route functions, so a page and the API refuse the same things the same way."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from kairos.api.deps import SessionDep
from kairos.api.errors import ApiError
from kairos.api.ids import PageId
from kairos.api.routes.groups import create_group, delete_group, update_group
from kairos.api.schemas.groups import GroupCreate, GroupUpdate
from kairos.db.models import GroupMember, Resource, ResourceGroup
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


async def board(session: AsyncSession) -> dict[str, Any]:
    """Groups in order with their members in order, every resource, and those in no group."""
    groups = list(
        (await session.execute(select(ResourceGroup).order_by(ResourceGroup.display_order, ResourceGroup.id))).scalars()
    )
    columns = select(Resource.id, Resource.name, Resource.kind, Resource.enabled, Resource.display_order)
    resources = sorted((await session.execute(columns)).all(), key=lambda r: (r.display_order, r.name.lower(), r.id))
    names = {r.id: r.name for r in resources}
    # The dashboard's order: a member's place in the group, then its name (ties before any reordering).
    placed = sorted(
        (await session.execute(select(GroupMember.group_id, GroupMember.display_order, GroupMember.resource_id))).all(),
        key=lambda m: (m.group_id, m.display_order, names.get(m.resource_id, "").lower(), m.resource_id),
    )
    members: dict[int, list[int]] = {g.id: [] for g in groups}
    for group_id, _order, resource_id in placed:
        members.setdefault(group_id, []).append(resource_id)
    grouped = {rid for ids in members.values() for rid in ids}
    state = {
        "groups": [{"id": g.id, "name": g.name, "visibility": g.visibility, "members": members[g.id]} for g in groups],
        "resources": {str(r.id): {"name": r.name, "kind": r.kind, "active": r.enabled} for r in resources},
        "order": [r.id for r in resources],
    }
    return {
        "groups": groups,
        "members": members,
        "names": names,
        "ungrouped": [r.id for r in resources if r.id not in grouped],
        "state": state,
    }


async def _page(request: Request, session: AsyncSession, code: int = 200, **ctx: Any) -> Response:
    ctx.setdefault("values", {"name": "", "visibility": "PUBLIC"})
    ctx.setdefault("errors", {})
    ctx.setdefault("edit", {})
    notice = _DONE.get(str(request.query_params.get("done", "")))
    return render(
        request, "admin/groups.html", code, visibilities=VISIBILITIES, notice=notice, **(await board(session)), **ctx
    )


def _values(form: FormData) -> dict[str, str]:
    return {"name": str(form.get("name", ""))[:1000], "visibility": str(form.get("visibility", ""))[:20]}


@router.get("/admin/groups")
async def groups_page(request: Request, _: AdminPage, session: SessionDep) -> Response:
    return await _page(request, session)


@router.post("/admin/groups")
async def create(request: Request, caller: AdminPage, form: CheckedForm, session: SessionDep) -> Response:
    values = _values(form)
    try:
        await create_group(GroupCreate.model_validate(values), session, caller)
    except ValidationError as exc:
        return await _page(request, session, 422, values=values, errors=form_problems(exc))
    except ApiError as exc:
        return await _page(request, session, exc.status, values=values, errors={exc.field or "name": exc.message})
    raise Redirect("/admin/groups?done=created")


@router.post("/admin/groups/{group_id}")
async def edit(
    request: Request, group_id: PageId, caller: AdminPage, form: CheckedForm, session: SessionDep
) -> Response:
    values = _values(form)
    try:
        await update_group(group_id, GroupUpdate.model_validate(values), session, caller)
    except ValidationError as exc:
        return await _edit_failed(request, session, group_id, 422, values, form_problems(exc))
    except ApiError as exc:
        _missing(exc)
        return await _edit_failed(request, session, group_id, exc.status, values, {exc.field or "name": exc.message})
    raise Redirect(f"/admin/groups?done=saved#edit-{group_id}")


async def _edit_failed(
    request: Request, session: AsyncSession, group_id: int, code: int, values: dict[str, str], errors: dict[str, str]
) -> Response:
    await session.rollback()
    return await _page(request, session, code, edit={"id": group_id, "values": values, "errors": errors})


@router.post("/admin/groups/{group_id}/delete")
async def delete(group_id: PageId, caller: AdminPage, _: CheckedForm, session: SessionDep) -> Response:
    try:
        await delete_group(group_id, session, caller)
    except ApiError as exc:
        _missing(exc)
        raise  # delete_group raises nothing else; a surprise stays a 500, not a silent success
    raise Redirect("/admin/groups?done=deleted")


def _missing(exc: ApiError) -> None:
    if exc.status == 404:
        raise PageError(404, "There is no such group.")
