"""Each API operation declares the scope it needs, in its OpenAPI description and as ``x-required-scope``.

The scope is read from the route's own dependencies (``kairos.api.deps.require_scope`` marks the ones it
builds), so the document cannot drift from what the code enforces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

SCOPE_ATTRIBUTE = "kairos_scope"


def _scopes(dependant: Dependant) -> Iterator[str]:
    scope = getattr(dependant.call, SCOPE_ATTRIBUTE, None)
    if isinstance(scope, str):
        yield scope
    for sub in dependant.dependencies:
        yield from _scopes(sub)


def required_scope(route: APIRoute) -> str | None:
    return next(_scopes(route.dependant), None)


def declare_scopes(router: APIRouter) -> None:
    """Call before the router is included in the app."""
    for route in router.routes:
        if not isinstance(route, APIRoute) or (scope := required_scope(route)) is None:
            continue
        extra: dict[str, Any] = dict(route.openapi_extra or {})
        extra["x-required-scope"] = scope
        route.openapi_extra = extra
        note = f"Scope: `{scope}`." if scope != "ADMIN" else "Scope: `ADMIN` (admins only)."
        route.description = f"{route.description} {note}".strip()
