"""``/admin/api-keys``: list, create (the key is shown once, on the answer to the form) and revoke API keys."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.deps import SessionDep
from kairos.api.ids import PageId
from kairos.api.schemas.api_keys import ApiKeyCreate
from kairos.auth.scopes import ALL, DESCRIPTIONS, PRESETS, Scope, decode
from kairos.errors import NotFound
from kairos.services import api_keys
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

SCOPES = tuple((scope.value, DESCRIPTIONS[scope]) for scope in ALL)


async def _list(request: Request, session: AsyncSession, code: int = 200, **ctx: object) -> Response:
    ctx.setdefault("values", {"name": "", "scopes": [Scope.STATUS_READ.value]})
    ctx.setdefault("errors", {})
    keys = [
        (row, creator, sorted(decode(row.scopes), key=ALL.index)) for row, creator in await api_keys.list_keys(session)
    ]
    return render(request, "admin/api_keys.html", code, keys=keys, scopes=SCOPES, **ctx)


@router.get("/admin/api-keys")
async def keys_page(request: Request, _: AdminPage, session: SessionDep, revoked: int = 0) -> Response:
    return await _list(request, session, revoked=bool(revoked))


@router.post("/admin/api-keys")
async def create(request: Request, caller: AdminPage, form: CheckedForm, session: SessionDep) -> Response:
    chosen = [str(v)[:40] for v in form.getlist("scopes")][: len(ALL)]
    values = {"name": str(form.get("name", ""))[:1000], "scopes": chosen}
    problem = "Choose at least one scope." if not chosen else None
    unknown = [name for name in chosen if name not in Scope.__members__]
    if unknown:
        problem = f"Unknown scope {unknown[0]!r}."
    if problem:
        return await _list(request, session, 422, values=values, errors={"scopes": problem})
    try:
        body = ApiKeyCreate.model_validate(values)
    except ValidationError as exc:
        return await _list(request, session, 422, values=values, errors=form_problems(exc))
    scopes = frozenset(body.scopes) if body.scopes else PRESETS["READ"]
    new = await api_keys.create(session, body.name, scopes=scopes, created_by=caller.user_id)
    # The only page that ever holds the key: rendered as the answer to the POST, never stored or linked.
    return render(request, "admin/api_key_created.html", 201, key=new.plaintext, row=new.row)


@router.post("/admin/api-keys/{key_id}/revoke")
async def revoke_key(key_id: PageId, _: AdminPage, __: CheckedForm, session: SessionDep) -> Response:
    try:
        await api_keys.revoke(session, key_id)
    except NotFound:
        raise PageError(404, "There is no such API key.") from None
    raise Redirect("/admin/api-keys?revoked=1")
