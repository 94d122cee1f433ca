"""The REST API, metrics and health endpoints."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Register routers and error handlers on ``app``."""
