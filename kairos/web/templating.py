"""Jinja2 set-up for the pages: one environment, asset URLs that change with the file (cache forever),
the CSRF token of the caller, the site settings, and small formatting filters."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from kairos import __version__
from kairos.api.deps import ANONYMOUS, Caller
from kairos.runtime import Runtime
from kairos.services.site import SiteSettings
from kairos.web.display import NONE, local_time, page_display, percent
from kairos.web.reasons import answered_latency, reason_of

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
CSRF_COOKIE = "kairos_csrf"  # anonymous forms (login) use double-submit; signed-in forms the session's token

templates = Jinja2Templates(directory=_HERE / "templates")


@functools.cache
def static_url(path: str) -> str:
    """``/static/<path>?v=<content hash>``: the URL changes when the file does, so it can be cached forever."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def _site(context: Context) -> SiteSettings:
    site = context.get("site")
    if not isinstance(site, SiteSettings):
        # A macro imported without context cannot see the settings: it would show UTC and two decimals while
        # the rest of the page follows the site's choice. Import such macros "with context".
        raise RuntimeError("a template formatting times or percentages needs the page context (import … with context)")
    return site


@pass_context
def _when(context: Context, value: datetime | None) -> str:
    """A moment in the site's time zone, with the zone named (``2026-03-29 14:05:00 CEST``)."""
    return local_time(value, _site(context).zone)


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else ""


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return NONE
    s = int(seconds)
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    parts = [f"{days}d"] if days else []
    if hours or days:
        parts.append(f"{hours}h")
    if not days:
        parts.append(f"{minutes}m")
    if not days and not hours:
        parts.append(f"{s}s")
    return " ".join(parts)


@pass_context
def _pct(context: Context, value: float | None) -> str:
    """An availability with the site's number of decimals."""
    return percent(value, _site(context).availability_decimals)


def _ms(value: float | None) -> str:
    """Under 10 ms with a tenth: a loopback answer in 0.4 ms is not "0 ms" (kairos.js ``fmt.ms`` agrees)."""
    if value is None:
        return NONE
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def _answered(result: Any) -> float | None:
    """A result's latency, or None when the target never answered (kairos.web.reasons)."""
    return answered_latency(str(result.status), result.http_status, result.latency_ms)


templates.env.globals.update(static_url=static_url, version=__version__)
templates.env.filters.update(when=_when, iso=_iso, duration=_duration, pct=_pct, ms=_ms)
templates.env.filters.update(reason=reason_of, answered=_answered)


def caller_of(request: Request) -> Caller:
    caller: Caller = getattr(request.state, "caller", None) or ANONYMOUS
    return caller


def csrf_token(request: Request) -> str:
    """The token forms on this page must send back."""
    caller = caller_of(request)
    if caller.csrf:
        return caller.csrf
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def render(request: Request, template: str, code: int = 200, **context: Any) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    caller = caller_of(request)
    context.update(
        caller=caller,
        csrf=csrf_token(request),
        site=runtime.site,
        display=page_display(runtime.site, datetime.now(UTC)),
        show_targets=runtime.site.show_targets or caller.authenticated,
        path=request.url.path,
    )
    response = templates.TemplateResponse(request, template, context, status_code=code)
    response.headers["Cache-Control"] = "no-store" if caller.authenticated else "no-cache"
    new_csrf = getattr(request.state, "new_csrf", None)
    if new_csrf:
        response.set_cookie(CSRF_COOKIE, new_csrf, httponly=True, samesite="strict", secure=is_https(request))
    return response
