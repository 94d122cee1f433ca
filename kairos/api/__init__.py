"""The REST API, metrics and health endpoints."""

from __future__ import annotations

from fastapi import FastAPI

from kairos.api import errors
from kairos.api.routes import (
    actuator,
    api_keys,
    credentials,
    discovery,
    groups,
    history,
    outages,
    resource_types,
    resources,
    status,
)


def mount(app: FastAPI) -> None:
    """Register routers and error handlers on ``app``."""
    errors.install(app)
    # status first: its fixed path /api/resources/status-updates must win over /api/resources/{id}.
    for module in (
        status,
        resources,
        history,
        outages,
        groups,
        resource_types,
        credentials,
        discovery,
        api_keys,
        actuator,
    ):
        app.include_router(module.router)
