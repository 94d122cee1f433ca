"""The trailing-slash redirect (``/api/resources/`` → ``/api/resources``), relative.

Starlette's ``redirect_slashes`` builds an absolute ``Location`` from the request's Host header, so whoever
chooses the Host (a proxy passing it through, ``KAIROS_ALLOWED_HOSTS=*``) chooses where the browser goes next.
Our redirect carries only the path and query: the browser stays on the origin it asked."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI
from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

# Characters a path may carry unescaped (RFC 3986 pchar plus "/"); "%" stays so that nothing is escaped twice.
_SAFE = "/:@!$&'()*+,;=-._~"


def other_slash_path(router: Router, scope: Scope) -> str | None:
    """The path with its trailing slash added or removed, when that path has a route; else None."""
    path: str = scope["path"]
    if path == "/" or not path:
        return None
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    if not other:
        return None
    probe = {**scope, "path": other}
    if not any(route.matches(probe)[0] is not Match.NONE for route in router.routes):
        return None
    # "//evil.example" would be a protocol-relative URL: another origin. One leading slash, always.
    return "/" + other.lstrip("/")


def location(path: str, query: bytes) -> str:
    quoted = quote(path, safe=_SAFE)
    return f"{quoted}?{query.decode('latin-1')}" if query else quoted


def install(app: FastAPI) -> None:
    """Replaces Starlette's absolute slash redirect with a relative one (in the router's not-found branch)."""
    router = app.router
    router.redirect_slashes = False
    not_found: ASGIApp = router.default

    async def default(scope: Scope, receive: Receive, send: Send) -> None:
        other = other_slash_path(router, scope) if scope["type"] == "http" else None
        if other is None:
            await not_found(scope, receive, send)
            return
        await RedirectResponse(location(other, scope.get("query_string", b"")), status_code=307)(scope, receive, send)

    router.default = default
