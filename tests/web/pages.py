"""Helpers for driving the pages over plain HTTP: read a form's CSRF token, sign in as a user."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Mapping

import httpx

from kairos.auth.passwords import hash_password
from kairos.db.models import AppUser
from tests.harness import Running

ADMIN_EMAIL = "admin@kairos.local"
NEW_PASSWORD = "correct-horse-battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient, url: str, data: Mapping[str, str | list[str]], page: str | None = None
) -> httpx.Response:
    """POST ``data`` to ``url`` with the CSRF token of ``page`` (default: ``url`` itself)."""
    form = await client.get(page or url)
    return await client.post(url, data={"csrf_token": csrf_of(form.text), **data})


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await post_form(client, "/login", {"email": email, "password": password})


async def add_user(kairos: Running, email: str, password: str, role: str = "USER") -> None:
    async with kairos.runtime.sessionmaker() as session:
        session.add(AppUser(email=email, password_hash=hash_password(password), role=role))
        await session.commit()


@contextlib.asynccontextmanager
async def admin_browser(kairos: Running) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping client signed in as the default admin, past the forced password change."""
    async with httpx.AsyncClient(base_url=kairos.url, timeout=30) as client:
        await sign_in(client, ADMIN_EMAIL, "admin")
        r = await post_form(
            client, "/account/password", {"current": "admin", "new": NEW_PASSWORD, "again": NEW_PASSWORD}
        )
        assert r.status_code == 303, r.text
        yield client
