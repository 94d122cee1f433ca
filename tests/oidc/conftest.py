"""One OpenID provider for the whole run; a fresh Kairos (and database) per test on the port it expects."""

from __future__ import annotations

from tests.oidc.support import kairos_port, oidc_kairos, oidc_overrides, provider

__all__ = ["kairos_port", "oidc_kairos", "oidc_overrides", "provider"]
