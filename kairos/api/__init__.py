"""The REST API, metrics and health endpoints."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Register routers and error handlers on ``app``."""
    # Imported here, not at the top: modules such as kairos.api.errors are used by services that the routes
    # themselves import, and importing the package must not pull in every route.
    from kairos.api import errors
    from kairos.api.routes import (
        actuator,
        announcements,
        api_keys,
        config,
        credentials,
        discovery,
        groups,
        history,
        instant_check,
        notifications,
        outages,
        resource_types,
        resources,
        settings,
        status,
        stream,
        users,
    )

    errors.install(app)
    # status and stream first: their fixed paths (/api/resources/status-updates, /api/resources/stream)
    # must win over /api/resources/{id}.
    for module in (
        status,
        stream,
        resources,
        history,
        outages,
        groups,
        resource_types,
        credentials,
        discovery,
        notifications,
        api_keys,
        announcements,
        instant_check,
        settings,
        users,
        config,
        actuator,
    ):
        app.include_router(module.router)
