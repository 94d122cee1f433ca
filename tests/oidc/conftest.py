"""One OpenID provider for the whole run; a fresh Kairos (and database) per test on the port it expects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.oidc.support import OidcKairos, Provider, kairos_on_port, kairos_port, oidc_settings, provider

__all__ = ["kairos_port", "provider"]


@pytest.fixture
def oidc_overrides() -> dict[str, Any]:
    """Settings of the test's Kairos beyond the defaults of ``oidc_settings`` (override in a test module)."""
    return {}


@pytest.fixture
async def oidc_kairos(
    db_url: str, tmp_path: Path, kairos_port: int, provider: Provider, oidc_overrides: dict[str, Any]
) -> AsyncIterator[OidcKairos]:
    settings = oidc_settings(db_url, tmp_path, kairos_port, provider.issuer, **oidc_overrides)
    async with kairos_on_port(settings, kairos_port) as runtime:
        yield OidcKairos(f"http://127.0.0.1:{kairos_port}", runtime, provider)
