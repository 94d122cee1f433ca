"""The access mode: with ``KAIROS_ACCESS_MODE=private`` every page and read endpoint needs a signed-in user or
an API key. What stays open is what signing in itself needs, plus health and the static assets."""

from __future__ import annotations

from kairos.settings import Settings

_OPEN_PREFIXES = (
    "/login",
    "/logout",
    "/auth/",
    "/account/password",
    "/static/",
    "/actuator/health",
    "/actuator/info",
    "/api/push/",  # PUSH pings: the token is the credential (docs/push.md)
)


def sign_in_required(settings: Settings, path: str) -> bool:
    return settings.access_mode == "private" and not path.startswith(_OPEN_PREFIXES)
