"""``/api/status-pages``: status pages (slug, title, description, groups, announcements, custom domain, logo).

Admins only, reading included: a page's configuration names groups and domains the public need not know. The
rules live in kairos/services/status_pages.py; the public page itself is kairos/web/routes/status_pages.py."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kairos.api.deps import RequireAdmin, SessionDep
from kairos.api.errors import ApiError, error_responses
from kairos.api.ids import PathId
from kairos.api.schemas.status_pages import StatusPageCreate, StatusPagePublic, StatusPageUpdate
from kairos.db.models import StatusPage
from kairos.services import status_pages
from kairos.services.status_logo import MAX_LOGO_BYTES

router = APIRouter(prefix="/api/status-pages", tags=["status pages"])
_ADMIN = "Needs an admin (an ADMIN user or an API key with ADMIN)."


def status_page_public(row: StatusPage) -> StatusPagePublic:
    return StatusPagePublic(
        id=row.id,
        slug=row.slug,
        title=row.title,
        description=row.description,
        description_html=row.description_html,
        domain=row.domain,
        group_ids=[link.group_id for link in row.groups],
        announcement_ids=sorted(link.announcement_id for link in row.announcements),
        url=f"/status/{row.slug}",
        logo_url=f"/status/{row.slug}/logo" if row.logo_type else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _domains_changed(request: Request) -> None:
    """The Host check reloads the custom domains at once (kairos/web/status_domains.py)."""
    domains = getattr(request.app.state, "status_domains", None)
    if domains is not None:
        domains.invalidate()


@router.get(
    "",
    summary="List status pages",
    response_model=list[StatusPagePublic],
    description=_ADMIN + " By slug.",
    responses=error_responses(401, 403),
)
async def list_pages(session: SessionDep, _: RequireAdmin) -> list[StatusPagePublic]:
    return [status_page_public(p) for p in await status_pages.list_pages(session)]


@router.post(
    "",
    status_code=201,
    summary="Create a status page",
    response_model=StatusPagePublic,
    description=_ADMIN + " The page is at `/status/{slug}`; with a `domain`, a request whose Host is that name "
    "gets it at `/` (the name is allowed by the Host check by itself). A slug or domain in use is a 409.",
    responses=error_responses(400, 401, 403, 409, 422),
)
async def create_page(
    body: StatusPageCreate, request: Request, session: SessionDep, _: RequireAdmin
) -> StatusPagePublic:
    row = await status_pages.create(session, body)
    _domains_changed(request)
    return status_page_public(row)


@router.get(
    "/{page_id}",
    summary="One status page",
    response_model=StatusPagePublic,
    description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)
async def get_page(page_id: PathId, session: SessionDep, _: RequireAdmin) -> StatusPagePublic:
    return status_page_public(await status_pages.get(session, page_id))


@router.put(
    "/{page_id}",
    summary="Edit a status page",
    response_model=StatusPagePublic,
    description=_ADMIN + " Fields left out keep their value; `domain: null` removes the custom domain; "
    "`groupIds` and `announcementIds` replace the lists.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
async def update_page(
    page_id: PathId, body: StatusPageUpdate, request: Request, session: SessionDep, _: RequireAdmin
) -> StatusPagePublic:
    row = await status_pages.update(session, page_id, body)
    _domains_changed(request)
    return status_page_public(row)


@router.delete(
    "/{page_id}",
    status_code=204,
    summary="Delete a status page",
    description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)
async def delete_page(page_id: PathId, request: Request, session: SessionDep, _: RequireAdmin) -> Response:
    await status_pages.delete(session, page_id)
    _domains_changed(request)
    return Response(status_code=204)


async def _bounded_body(request: Request) -> bytes:
    """The upload, refused (413) as soon as it passes the logo limit: never held whole when too large."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_LOGO_BYTES:
            raise ApiError(413, "logo_too_large", f"the logo is larger than {MAX_LOGO_BYTES // 1024} KiB", "body")
        chunks.append(chunk)
    return b"".join(chunks)


@router.put(
    "/{page_id}/logo",
    summary="Upload a status page's logo",
    response_model=StatusPagePublic,
    description=_ADMIN + " The body is the image itself (any Content-Type): PNG, JPEG, GIF or WebP, at most "
    "256 KiB, told by its bytes. SVG is refused (it can carry script). Served at `logoUrl` with the sniffed "
    "type, `nosniff` and a CSP that allows nothing.",
    responses=error_responses(401, 403, 404, 413, 422),
    openapi_extra={"requestBody": {"content": {"image/*": {"schema": {"type": "string", "format": "binary"}}}}},
)
async def upload_logo(page_id: PathId, request: Request, session: SessionDep, _: RequireAdmin) -> StatusPagePublic:
    return status_page_public(await status_pages.set_logo(session, page_id, await _bounded_body(request)))


@router.delete(
    "/{page_id}/logo",
    summary="Remove a status page's logo",
    response_model=StatusPagePublic,
    description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)
async def delete_logo(page_id: PathId, session: SessionDep, _: RequireAdmin) -> StatusPagePublic:
    return status_page_public(await status_pages.clear_logo(session, page_id))
