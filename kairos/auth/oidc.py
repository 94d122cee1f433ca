"""(being written) OpenID Connect login."""

from __future__ import annotations

from fastapi import FastAPI

from kairos.runtime import Runtime


def install(app: FastAPI, runtime: Runtime) -> None:
    """Registers what OIDC sign-in needs on ``app`` (nothing while it is disabled)."""
