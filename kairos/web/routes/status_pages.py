"""Public status pages: ``/status/{slug}``, its logo, and the page a custom domain shows at ``/``.

The logo is served with the type sniffed at upload (never SVG), ``nosniff``, and a CSP of its own that
allows nothing (``default-src 'none'; sandbox``): opened on its own, it is an image and nothing else."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kairos.api.deps import Caller, RuntimeDep, SessionDep
from kairos.db.models import StatusPage
from kairos.errors import NotFound
from kairos.runtime import Runtime
from kairos.services import status_pages
from kairos.web.deps import PageCaller, PageError
from kairos.web.hosts import host_name
from kairos.web.status_page_data import bar_level, bar_title, load_page
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

_LOGO_HEADERS = {
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": "public, max-age=300",
    "content-disposition": "inline",
}


async def render_page(
    request: Request, session: SessionDep, runtime: Runtime, caller: Caller, page: StatusPage
) -> HTMLResponse:
    view = await load_page(session, runtime, caller, page)
    return render(request, "status_page.html", view=view, bar_level=bar_level, bar_title=bar_title)


async def page_for_host(request: Request, session: SessionDep) -> StatusPage | None:
    """The status page whose custom domain this request's Host names, if any (the dashboard asks first)."""
    return await status_pages.by_domain(session, host_name(request.headers.get("host", "")))


@router.get("/status/{slug}")
async def status_page(
    request: Request, slug: str, session: SessionDep, runtime: RuntimeDep, caller: PageCaller
) -> HTMLResponse:
    try:
        page = await status_pages.by_slug(session, slug[:64])
    except NotFound:
        raise PageError(404, "There is no such status page.") from None
    return await render_page(request, session, runtime, caller, page)


@router.get("/status/{slug}/logo")
async def status_page_logo(slug: str, session: SessionDep) -> Response:
    try:
        data, content_type = await status_pages.logo_of(session, slug[:64])
    except NotFound:
        raise PageError(404, "This status page has no logo.") from None
    return Response(data, media_type=content_type, headers=_LOGO_HEADERS)
