"""``/admin/api-keys``: list, create and revoke API keys. A new key is shown once, on ``/admin/api-keys/created``
after the POST's redirect (kairos/web/reveal.py), so reloading that page never makes a second key."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.api.ids import PageId
from kairos.api.schemas.api_keys import ApiKeyCreate
from kairos.auth.scopes import ALL, DESCRIPTIONS, PRESETS, Scope, decode
from kairos.errors import NotFound
from kairos.services import api_keys
from kairos.web import reveal
from kairos.web.deps import AdminPage, CheckedForm, PageError, Redirect
from kairos.web.forms import form_problems
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

CREATED = "/admin/api-keys/created"
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
async def create(
    request: Request, caller: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
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
    row = {"id": new.row.id, "name": new.row.name, "scopes": new.row.scopes, "prefix": new.row.prefix}
    return reveal.redirect_showing(request, runtime.box, CREATED, "api_key", {"key": new.plaintext, "row": row})


@router.get(CREATED)
async def created(request: Request, _: AdminPage, runtime: RuntimeDep) -> Response:
    """The new key, this once: a reload (or any later visit) says it cannot be shown again."""
    shown = reveal.take(request, runtime.box, "api_key")
    page = render(request, "admin/api_key_created.html", key=shown and shown.get("key"), row=shown and shown.get("row"))
    return reveal.forget(request, page)


@router.post("/admin/api-keys/{key_id}/revoke")
async def revoke_key(key_id: PageId, _: AdminPage, __: CheckedForm, session: SessionDep) -> Response:
    try:
        await api_keys.revoke(session, key_id)
    except NotFound:
        raise PageError(404, "There is no such API key.") from None
    raise Redirect("/admin/api-keys?revoked=1")
