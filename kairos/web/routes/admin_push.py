"""``/admin/resources/{id}/push-token``: rotate a PUSH resource's token (asked first), and the page that shows a
freshly issued token once, after creating a PUSH resource or rotating its token. Like a new API key, the token
is handed from the POST to ``/admin/resources/{id}/ping-url`` in a one-time sealed cookie (kairos/web/reveal.py):
never stored (only its hash), never in a URL, sent ``no-store``; reloading that page issues no second token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.api.ids import PageId
from kairos.db.models import Resource
from kairos.errors import Conflict, NotFound
from kairos.runtime import Runtime
from kairos.services import push
from kairos.services.resources import load_resource
from kairos.web import reveal
from kairos.web.deps import AdminPage, CheckedForm, PageError
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

_KIND = "push_token"


def shown_at(resource_id: int) -> str:
    return f"/admin/resources/{resource_id}/ping-url"


def token_page(request: Request, runtime: Runtime, row: Resource, token: str, rotated: bool) -> Response:
    """The answer to the POST that issued ``token``: a redirect to the page that shows it, this once."""
    data = {"resource": row.id, "token": token, "rotated": rotated}
    return reveal.redirect_showing(request, runtime.box, shown_at(row.id), _KIND, data)


async def _push_resource(session: SessionDep, resource_id: int) -> Resource:
    try:
        row = await load_resource(session, resource_id)
    except NotFound:
        raise PageError(404, "There is no such resource.") from None
    if not push.takes_pings(row.kind):
        raise PageError(409, "This resource is not fed by pings: it has no push token.")
    return row


@router.get("/admin/resources/{resource_id}/push-token")
async def rotate_confirm(request: Request, _: AdminPage, session: SessionDep, resource_id: PageId) -> Response:
    """The confirmation step: rotating breaks every job that pings the current URL."""
    row = await _push_resource(session, resource_id)
    return render(request, "admin/push_rotate.html", resource=row, beat=await push.heartbeat_of(session, row.id))


@router.post("/admin/resources/{resource_id}/push-token")
async def rotate(
    request: Request, _: AdminPage, __: CheckedForm, session: SessionDep, runtime: RuntimeDep, resource_id: PageId
) -> Response:
    row = await _push_resource(session, resource_id)
    try:
        token = await push.rotate_token(session, row)
    except Conflict:  # changed to another kind meanwhile
        raise PageError(409, "This resource is not fed by pings: it has no push token.") from None
    await runtime.scheduler.resource_changed(row.id)  # judged against the new token's issue time at once
    return token_page(request, runtime, row, token, rotated=True)


@router.get("/admin/resources/{resource_id}/ping-url")
async def ping_url(
    request: Request, _: AdminPage, session: SessionDep, runtime: RuntimeDep, resource_id: PageId
) -> Response:
    """The ping URL (its curl and cron lines) once; a reload or a later visit says it cannot be shown again."""
    row = await _push_resource(session, resource_id)
    shown = reveal.take(request, runtime.box, _KIND)
    answer, rotated = None, False
    if shown is not None and shown.get("resource") == row.id and isinstance(shown.get("token"), str):
        base = runtime.settings.public_url or str(request.base_url)
        answer, rotated = push.token_answer(row.id, shown["token"], base), bool(shown.get("rotated"))
    page = render(request, "admin/push_token.html", resource=row, push=answer, rotated=rotated)
    return reveal.forget(request, page)
