"""The API's interactive docs: Swagger UI at ``/api``, ReDoc at ``/api/redoc``, and Swagger's OAuth2 redirect.

FastAPI's stock pages start Swagger UI with an inline script, which our Content-Security-Policy refuses. These
pages are the same, with the start-up code in static/js/swagger-init.js reading its settings from a JSON
block; the Swagger UI and ReDoc bundles are the ones fastapi-offline ships (served at ``OFFLINE_ASSETS``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.docs import swagger_ui_default_parameters
from fastapi.responses import HTMLResponse

from kairos.web.templating import templates

router = APIRouter(include_in_schema=False)

OFFLINE_ASSETS = "/static-offline-docs"  # where FastAPIOffline mounts its copies of the bundles
SWAGGER_URL = "/api"
REDOC_URL = "/api/redoc"
OAUTH2_REDIRECT_URL = "/api/oauth2-redirect"


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    context.update(
        title=request.app.title, assets=f"{root}{OFFLINE_ASSETS}", openapi_url=root + request.app.openapi_url
    )
    return templates.TemplateResponse(request, template, context)


@router.get(SWAGGER_URL)
async def swagger_ui(request: Request) -> HTMLResponse:
    parameters = swagger_ui_default_parameters | (request.app.swagger_ui_parameters or {})
    root = request.scope.get("root_path", "")
    config = {
        "url": root + request.app.openapi_url,
        # swagger-init.js prefixes the page's origin, as the stock page does.
        "oauth2RedirectPath": root + OAUTH2_REDIRECT_URL,
        "parameters": jsonable_encoder(parameters),
    }
    return _page(request, "api_docs/swagger.html", config=config)


@router.get(REDOC_URL)
async def redoc(request: Request) -> HTMLResponse:
    return _page(request, "api_docs/redoc.html")


@router.get(OAUTH2_REDIRECT_URL)
async def swagger_oauth2_redirect(request: Request) -> HTMLResponse:
    return _page(request, "api_docs/oauth2_redirect.html")
