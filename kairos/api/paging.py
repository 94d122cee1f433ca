"""RFC 8288 ``Link`` headers for lists paged with ``offset`` and ``limit``."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request


def _link(request: Request, offset: int, rel: str) -> str:
    params = dict(request.query_params)  # the caller's filters and limit, as given
    params["offset"] = str(offset)
    return f'<{request.url.path}?{urlencode(params)}>; rel="{rel}"'


def page_links(request: Request, offset: int, limit: int | None, total: int) -> str:
    """``next`` when more matching rows follow the page, ``prev`` when the page does not start at the top;
    empty without a limit (the answer then holds every row from ``offset`` on). Relative URLs: the API may be
    behind a proxy that rewrites the host."""
    if limit is None:
        return ""
    links = []
    if offset + limit < total:
        links.append(_link(request, offset + limit, "next"))
    if offset > 0:
        links.append(_link(request, max(0, min(offset, total) - limit), "prev"))
    return ", ".join(links)
