"""The REST API's routes and error handlers, mounted on the app by the app factory (:mod:`kairos.app`).

Only the app factory imports this module: the routes import services that raise :mod:`kairos.api.errors`, so a
package ``kairos.api`` that imported every route would be imported back by them (an import cycle)."""

from __future__ import annotations

from fastapi import FastAPI

from kairos.api import errors
from kairos.api.routes import (
    actuator,
    announcements,
    api_keys,
    config,
    credentials,
    discovery,
    fleet,
    groups,
    history,
    instant_check,
    maintenance,
    notifications,
    outages,
    proxies,
    push,
    resource_actions,
    resource_types,
    resources,
    settings,
    status,
    status_pages,
    stream,
    users,
)
from kairos.api.scope_docs import declare_scopes


def mount(app: FastAPI) -> None:
    """Register routers and error handlers on ``app``."""
    errors.install(app)
    # status and stream first: their fixed paths (/api/resources/status-updates, /api/resources/stream)
    # must win over /api/resources/{id}.
    for module in (
        status,
        stream,
        resource_actions,
        resources,
        push,
        history,
        outages,
        groups,
        resource_types,
        credentials,
        proxies,
        discovery,
        notifications,
        api_keys,
        announcements,
        maintenance,
        instant_check,
        settings,
        users,
        config,
        fleet,
        status_pages,
        actuator,
    ):
        declare_scopes(module.router)
        app.include_router(module.router)
