"""A secret shown once after a POST: post/redirect/get without putting it in a URL or in a table.

A new API key or push token used to be the answer to its POST, so reloading that page posted again and made
a second one. Now the POST answers ``303`` to a page of its own and hands the secret over in a cookie that
only that page receives (``Path`` is the page), sealed with the server's key (Fernet, as stored secrets),
``HttpOnly``, ``SameSite=Strict``, for at most five minutes, and bound to the sign-in session that made it
(a copied cookie opens nowhere else). The page shows it and deletes the cookie: a reload says it cannot be
shown again. A cookie rather than a row or process memory, so that any web node of a fleet serves the page
(no sticky sessions, docs/fleet.md) and nothing needs a migration. The key is never in a URL, so never in an
access log line or a ``Referer``."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from kairos.crypto import SecretBox
from kairos.web.templating import caller_of, is_https

COOKIE = "kairos_reveal"
TTL_S = 300


def _binding(request: Request) -> str:
    """The sign-in session, by a hash of its CSRF token (a per-session secret the cookie never carries)."""
    csrf = caller_of(request).csrf or ""
    return hashlib.sha256(b"kairos-reveal\x00" + csrf.encode()).hexdigest()


def redirect_showing(request: Request, box: SecretBox, location: str, kind: str, data: dict[str, Any]) -> Response:
    """``303`` to ``location`` (a path, no query), which :func:`take` the sealed ``data`` from, once."""
    payload = {"kind": kind, "session": _binding(request), "at": int(time.time()), "data": data}
    response = RedirectResponse(location, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        COOKIE,
        box.seal(json.dumps(payload)).decode(),
        max_age=TTL_S,
        path=location,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )
    return response


def take(request: Request, box: SecretBox, kind: str) -> dict[str, Any] | None:
    """What the POST sealed for this page and this session; None when absent, expired, foreign or forged."""
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 4096:
        return None
    try:
        payload = json.loads(box.open(raw.encode()))
    except ValueError:  # not ours, or sealed under another KAIROS_SECRET_KEY
        return None
    if not isinstance(payload, dict) or payload.get("kind") != kind or payload.get("session") != _binding(request):
        return None
    at = payload.get("at")
    if not isinstance(at, int) or not 0 <= time.time() - at <= TTL_S:
        return None
    data = payload.get("data")
    return data if isinstance(data, dict) else None


def forget(request: Request, response: Response) -> Response:
    """The page has shown it (or had nothing to show): the browser drops the cookie."""
    response.delete_cookie(COOKIE, path=request.url.path, httponly=True, samesite="strict", secure=is_https(request))
    return response
