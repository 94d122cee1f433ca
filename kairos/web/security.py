"""Security headers on every response, and CORS for ``/api/*`` when origins are configured.

A pure ASGI middleware: it only edits the headers of ``http.response.start`` and passes the body through, so
the Server-Sent Events stream (``/api/resources/stream``) is never buffered. It is installed outside
Starlette's error middleware, so even an unexpected 500 carries the headers (docs/security.md)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kairos.settings import Settings
from kairos.web.hosts import AllowedHosts, HostPolicy
from kairos.web.status_domains import StatusDomains

log = logging.getLogger("kairos.security")

# Everything from our own origin, nothing inline, no plugins. Page scripts are files in /static/js and set
# element.style through the CSSOM only, which style-src does not govern; data: images are the inline SVG icons.
_CSP_BASE: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# ReDoc (styled-components) writes <style> elements at run time and builds its search index in a blob: worker.
_REDOC_CSP = {"style-src": "'self' 'unsafe-inline'", "worker-src": "'self' blob:"}
_PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
_HSTS = "max-age=31536000; includeSubDomains"
_FRAMABLE = ("/embed/", "/badges/")
# A frame-ancestors source: a scheme ("https:"), a host source with optional scheme, port and wildcards, or a
# keyword. Anything else (a ";" above all) could smuggle another directive into the header.
_SOURCE = re.compile(r"^(?:'self'|'none'|\*|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?[\w.*-]+(?::(?:\d+|\*))?)$")

Headers = list[tuple[str, str]]


def frame_ancestors(value: str) -> str:
    """``KAIROS_EMBED_FRAME_ANCESTORS`` (comma- or space-separated sources) as a CSP source list.

    A value with anything that is not a source (a ";" above all) is refused as a whole: nobody may frame."""
    sources = [part for part in re.split(r"[,\s]+", value.strip()) if part]
    wrong = [part for part in sources if not _SOURCE.match(part.lower())]
    if wrong:
        log.warning("KAIROS_EMBED_FRAME_ANCESTORS: %r is not a CSP source; embeds may not be framed", wrong[0])
        return "'none'"
    return " ".join(sources) or "'none'"


def _csp(**changes: str) -> str:
    directives = _CSP_BASE | {k.replace("_", "-"): v for k, v in changes.items()}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _common(csp: str) -> Headers:
    return [
        ("content-security-policy", csp),
        ("x-content-type-options", "nosniff"),
        # Our URLs hold nothing secret, but other sites need not learn them (or our internal host name).
        ("referrer-policy", "same-origin"),
        ("permissions-policy", _PERMISSIONS),
    ]


def _form_action(settings: Settings) -> str:
    """'self', plus the OIDC provider: Chromium applies form-action to the redirects that follow a form POST."""
    issuer = urlsplit(settings.oidc_issuer_uri) if settings.oidc_enabled else None
    if issuer and issuer.scheme in ("http", "https") and issuer.netloc:
        return f"'self' {issuer.scheme}://{issuer.netloc}"
    return "'self'"


class HeaderSets:
    """The headers for each kind of path, built once from the settings."""

    def __init__(self, settings: Settings) -> None:
        action = _form_action(settings)
        self.page = [
            *_common(_csp(form_action=action)),
            ("x-frame-options", "DENY"),
            ("cross-origin-opener-policy", "same-origin"),
        ]
        # Embeds live in other sites' frames: only frame-ancestors differs, and there is no X-Frame-Options.
        self.embed = _common(_csp(form_action=action, frame_ancestors=frame_ancestors(settings.embed_frame_ancestors)))
        # Swagger UI may open an OAuth2 pop-up that must keep its opener (window.opener) to report back.
        docs = [*_common(_csp()), ("x-frame-options", "DENY")]
        self.swagger = [*docs, ("cross-origin-opener-policy", "same-origin-allow-popups")]
        self.redoc = [
            *_common(_csp(**_REDOC_CSP)),
            ("x-frame-options", "DENY"),
            ("cross-origin-opener-policy", "same-origin"),
        ]
        self.oauth2_redirect = docs

    def for_path(self, path: str) -> Headers:
        if path.startswith(_FRAMABLE):
            return self.embed
        if path == "/api":
            return self.swagger
        if path == "/api/redoc":
            return self.redoc
        if path == "/api/oauth2-redirect":
            return self.oauth2_redirect
        return self.page


class SecurityHeaders:
    """ASGI middleware: security headers on every HTTP response; CORS (when configured) on ``/api/*``."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.headers = HeaderSets(settings)
        origins = settings.cors_origin_list
        # Keys travel in headers, never in cookies meant for other sites: no credentials mode.
        self.cors: ASGIApp | None = (
            CORSMiddleware(
                app,
                allow_origins=origins,
                allow_methods=["GET", "POST", "PUT", "DELETE"],
                allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-CSRF-Token"],
                allow_credentials=False,
                max_age=600,
            )
            if origins
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = self.headers.for_path(path)
        # uvicorn has already applied X-Forwarded-Proto from a trusted proxy (KAIROS_FORWARDED_ALLOW_IPS).
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("strict-transport-security", _HSTS)
            await send(message)

        inner = self.cors if self.cors is not None and path.startswith("/api/") else self.app
        await inner(scope, receive, send_with_headers)


class _HideCallbackQuery(logging.Filter):
    """The access log shows paths with their query; the OIDC callback's query holds the authorization code."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn's access record: (client, method, path with query, HTTP version, status)
        if isinstance(args, tuple) and len(args) == 5 and str(args[2]).startswith(_SECRET_QUERY_PATHS):
            path = str(args[2])
            record.args = (args[0], args[1], path.split("?", 1)[0] + "?(hidden)", args[3], args[4])
        return True


_SECRET_QUERY_PATHS = ("/auth/callback?",)
_ACCESS_FILTER = _HideCallbackQuery()


def install(app: FastAPI, settings: Settings) -> None:
    """Wraps ``app``'s whole middleware stack (error handling included) in :class:`SecurityHeaders`, and inside
    it :class:`~kairos.web.hosts.AllowedHosts`: a foreign Host is refused before routing, with the headers."""
    logging.getLogger("uvicorn.access").addFilter(_ACCESS_FILTER)  # one instance: adding it again is a no-op
    build: Callable[[], ASGIApp] = app.build_middleware_stack
    hosts = HostPolicy.from_settings(settings)
    runtime = getattr(app.state, "runtime", None)
    # Status pages' custom domains are allowed by themselves (kairos/web/status_domains.py).
    domains = app.state.status_domains = StatusDomains(runtime.sessionmaker) if runtime is not None else None

    def outermost() -> ASGIApp:
        return SecurityHeaders(AllowedHosts(build(), hosts, domains.allows if domains else None), settings)

    # Starlette builds the stack on the first request; an add_middleware() layer would sit inside
    # ServerErrorMiddleware and miss the 500 answers it writes.
    app.build_middleware_stack = outermost  # type: ignore[method-assign]
