"""The pages' routes, static files and error pages, mounted on the app by the app factory (:mod:`kairos.app`).

Only the app factory imports this module: a package ``kairos.web`` that imported every page would be imported
back by the pages that use its small helpers (an import cycle)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from kairos.api import errors as api_errors
from kairos.web.deps import PageError, Redirect
from kairos.web.routes import (
    account,
    admin_config,
    admin_discovery,
    admin_fleet,
    admin_groups,
    admin_home,
    admin_keys,
    admin_maintenance,
    admin_notifications,
    admin_proxy,
    admin_push,
    admin_resource_actions,
    admin_resource_list,
    admin_resources,
    admin_settings,
    admin_status_pages,
    admin_types,
    admin_users,
    announcements,
    api_docs,
    badges,
    dashboard,
    oidc,
    outages_page,
    resource_page,
    status_pages,
)
from kairos.web.templating import STATIC_DIR, render

# Paths that always answer JSON errors; everything else is a page.
_MACHINE_PREFIXES = ("/api", "/actuator", "/v3/", "/metrics", "/static/", "/openapi.json")


class _Static(StaticFiles):
    """Asset URLs carry a content hash (``static_url``), so a response never goes stale."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return render(request, "error.html", exc.status, status=exc.status, message=exc.message)


async def _redirect(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, Redirect)
    return RedirectResponse(exc.location, status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if request.url.path.startswith(_MACHINE_PREFIXES):
        return await api_errors.http_exception_handler(request, exc)
    message = {404: "There is no such page.", 405: "This page does not take that method."}
    return render(
        request,
        "error.html",
        exc.status_code,
        status=exc.status_code,
        message=message.get(exc.status_code, "The request could not be served."),
    )


def mount(app: FastAPI) -> None:

    app.mount("/static", _Static(directory=STATIC_DIR), name="static")
    app.add_exception_handler(PageError, _page_error)
    app.add_exception_handler(Redirect, _redirect)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for module in (
        account,
        oidc,
        dashboard,
        resource_page,
        outages_page,
        announcements,
        badges,
        admin_home,
        admin_resource_actions,
        admin_resource_list,
        admin_resources,
        admin_push,
        admin_types,
        admin_groups,
        admin_keys,
        admin_maintenance,
        admin_discovery,
        admin_notifications,
        admin_settings,
        admin_proxy,
        admin_users,
        admin_config,
        admin_fleet,
        api_docs,
        status_pages,
        admin_status_pages,
    ):
        app.include_router(module.router)
