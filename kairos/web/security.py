"""(being written) Security headers and CORS."""

from __future__ import annotations

from fastapi import FastAPI

from kairos.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Adds the security headers and CORS middleware to ``app``."""
