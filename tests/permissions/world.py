"""A running Kairos with one real object of every kind and a client for each caller of the matrix (rules.py)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from kairos.auth.throttle import LoginThrottle
from tests.harness import Running
from tests.permissions.rules import KEY_SCOPES
from tests.servers.ports import free_port
from tests.web.pages import add_user, admin_browser, csrf_of, sign_in

USER_EMAIL = "matrix-user@kairos.local"
OTHER_EMAIL = "matrix-other@kairos.local"
ADMIN_EMAIL = "matrix-admin@kairos.local"
FRESH_EMAIL = "matrix-fresh@kairos.local"  # must change its password
PASSWORD = "matrix-password-1"
MISSING_ID = 999_999  # DELETE goes here: the allowed answer is 404, and every fixture survives for later calls
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class NeverBlocked(LoginThrottle):
    """The matrix's revoked key fails on purpose ~60 times from 127.0.0.1; the real throttle would then answer
    429 to its further wrong tries (valid keys are never refused). Refusing repeat offenders is tested in
    tests/api/test_access_mode.py."""

    def blocked(self, *keys: str) -> bool:
        return False


@dataclass
class World:
    kairos: Running
    callers: dict[str, httpx.AsyncClient]
    ids: dict[str, Any] = field(default_factory=dict)  # path parameter name → value of a real object


async def _created(client: httpx.AsyncClient, url: str, body: Any) -> dict[str, Any]:
    response = await client.post(url, json=body)
    assert response.status_code == 201, (url, response.text)
    return dict(response.json())


async def closed_fixtures(kairos: Running) -> dict[str, Any]:
    """One object of each kind; a discovery source and the resource point at a closed loopback port, so syncs
    and checks the matrix triggers fail fast without leaving the machine."""
    c, port = kairos.client, free_port()  # bound once to pick it, then released: closed
    group = await _created(c, "/api/groups", {"name": "matrix", "visibility": "PUBLIC"})
    resource = await _created(
        c,
        "/api/resources",
        {"name": "matrix", "resourceType": "TCP", "target": f"127.0.0.1:{port}", "groupIds": [group["id"]]},
    )
    credential = await _created(
        c, "/api/credentials", {"name": "matrix", "pattern": "http://127.0.0.1/*", "username": "u", "password": "p"}
    )
    source = await _created(
        c, "/api/discovery-sources", {"name": "matrix", "prefix": f"127.0.0.1:{port}/team", "insecureHttp": True}
    )
    announcement = await _created(c, "/api/announcements", {"content": "matrix"})
    window = {"title": "matrix", "startsAt": "2100-01-01T00:00:00Z", "endsAt": "2100-01-01T01:00:00Z"}
    maintenance_window = await _created(c, "/api/maintenance-windows", window)
    status_page = await _created(c, "/api/status-pages", {"slug": "matrix", "title": "matrix"})
    proxy = await _created(c, "/api/proxies", {"name": "matrix", "url": f"http://127.0.0.1:{port}"})
    key = await _created(c, "/api/api-keys", {"name": "matrix spare", "role": "READ"})
    user = await _created(c, "/api/users", {"email": OTHER_EMAIL, "role": "USER", "password": PASSWORD})
    hook = {"name": "matrix", "kind": "WEBHOOK", "url": f"http://127.0.0.1:{port}/hook"}
    channel = await _created(c, "/api/notifications/channels", hook)
    policy = await _created(
        c, "/api/notifications/policies", {"name": "matrix", "channelId": channel["id"], "events": ["outage_opened"]}
    )
    return {
        "resource_id": resource["id"],
        "group_id": group["id"],
        "kind": "HTTP",
        "credential_id": credential["id"],
        "source_id": source["id"],
        "announcement_id": announcement["id"],
        "window_id": maintenance_window["id"],
        "page_id": status_page["id"],
        "key_id": key["id"],
        "user_id": user["id"],
        "channel_id": channel["id"],
        "policy_id": policy["id"],
        "name": proxy["name"],
        "outage_id": MISSING_ID,  # DELETE is its only route: it gets MISSING_ID anyway
        "delivery_id": MISSING_ID,  # deliveries come from events only; 404 is an allowed answer
        "token": "kp_matrix-unknown-token",  # PUSH pings: an unknown token answers 404, an allowed answer
    }


async def _csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/")
    match = _META_CSRF.search(page.text)
    assert match, "no csrf-token meta on the signed-in dashboard"
    return match.group(1)


async def _key(kairos: Running, role: str) -> dict[str, Any]:
    return await _created(kairos.client, "/api/api-keys", {"name": f"matrix {role}", "role": role})


async def _scoped_keys(kairos: Running) -> dict[str, str]:
    """One key per caller of KEY_SCOPES but the admin key (the harness's own), holding exactly its scopes."""
    made = {}
    for caller, scopes in KEY_SCOPES.items():
        if caller != "admin_key":
            body = {"name": f"matrix {caller}", "scopes": list(scopes)}
            made[caller] = (await _created(kairos.client, "/api/api-keys", body))["key"]
    return made


@contextlib.asynccontextmanager
async def world(kairos: Running) -> AsyncIterator[World]:
    kairos.runtime.api_throttle = NeverBlocked()
    ids = await closed_fixtures(kairos)
    keys = await _scoped_keys(kairos)
    revoked = await _key(kairos, "ADMIN")
    assert (await kairos.client.delete(f"/api/api-keys/{revoked['id']}")).status_code == 204
    await add_user(kairos, USER_EMAIL, PASSWORD)
    await add_user(kairos, ADMIN_EMAIL, PASSWORD, role="ADMIN")
    fresh = await _created(kairos.client, "/api/users", {"email": FRESH_EMAIL, "role": "ADMIN", "password": PASSWORD})
    assert fresh["mustChangePassword"] is True
    url = kairos.url
    async with (
        admin_browser(kairos) as admin,
        httpx.AsyncClient(base_url=url, timeout=30) as user,
        contextlib.AsyncExitStack() as stack,
        httpx.AsyncClient(base_url=url, timeout=30, headers={"Authorization": f"Bearer {revoked['key']}"}) as gone,
        httpx.AsyncClient(base_url=url, timeout=30, auth=(USER_EMAIL, PASSWORD)) as user_basic,
        httpx.AsyncClient(base_url=url, timeout=30, auth=(ADMIN_EMAIL, PASSWORD)) as admin_basic,
        httpx.AsyncClient(base_url=url, timeout=30) as fresh_session,
        httpx.AsyncClient(base_url=url, timeout=30, auth=(FRESH_EMAIL, PASSWORD)) as fresh_basic,
    ):
        assert (await sign_in(user, USER_EMAIL, PASSWORD)).status_code == 303
        signed_in = await sign_in(fresh_session, FRESH_EMAIL, PASSWORD)
        assert signed_in.headers["location"] == "/account/password"
        fresh_session.headers["X-CSRF-Token"] = csrf_of((await fresh_session.get("/account/password")).text)
        # Session callers send their CSRF token on every request: writes need it, reads ignore it.
        for browser in (admin, user):
            browser.headers["X-CSRF-Token"] = await _csrf(browser)
        # Keys in X-API-Key (the revoked one as a Bearer token): both ways are the same credential.
        scoped = {
            caller: await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=30, headers={"X-API-Key": key})
            )
            for caller, key in keys.items()
        }
        callers = {
            "anonymous": kairos.anon,
            "user_session": user,
            "admin_session": admin,
            **scoped,
            "admin_key": kairos.client,
            "revoked_key": gone,
            "user_basic": user_basic,
            "admin_basic": admin_basic,
            "must_change_session": fresh_session,
            "must_change_basic": fresh_basic,
        }
        yield World(kairos, callers, ids)
