"""One Kairos with every kind of resource and every kind of caller, for the visibility tests.

Resources: in no group, in a PUBLIC, an AUTHENTICATED or a HIDDEN group, and in HIDDEN+PUBLIC and
HIDDEN+AUTHENTICATED (a resource takes its most permissive group). Callers: anonymous, a USER and an ADMIN
signed in with a session cookie, a READ and an ADMIN API key. Each resource has one closed outage."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from tests.api.loopback import Target
from tests.api.support import create_resource
from tests.harness import Running
from tests.web.pages import add_user, admin_browser, sign_in
from tests.web.resource_seed import add_group, add_outage

CALLERS = ("anonymous", "user", "admin_user", "read_key", "admin_key")
BROWSERS = ("anonymous", "user", "admin_user")  # pages read the session cookie only
RESOURCES = ("ungrouped", "public", "authenticated", "hidden", "hidden+public", "hidden+authenticated")
VISIBILITIES = ("PUBLIC", "AUTHENTICATED", "HIDDEN")

_SIGNED_IN = {"ungrouped", "public", "authenticated", "hidden+public", "hidden+authenticated"}
# The rule of docs/access.md, written out by hand: what each caller must see, whatever the surface.
SEES: dict[str, set[str]] = {
    "anonymous": {"ungrouped", "public", "hidden+public"},
    "user": _SIGNED_IN,
    "read_key": _SIGNED_IN,
    "admin_user": set(RESOURCES),
    "admin_key": set(RESOURCES),
}
SEES_GROUPS: dict[str, set[str]] = {
    "anonymous": {"PUBLIC"},
    "user": {"PUBLIC", "AUTHENTICATED"},
    "read_key": {"PUBLIC", "AUTHENTICATED"},
    "admin_user": set(VISIBILITIES),
    "admin_key": set(VISIBILITIES),
}
_MEMBERSHIP = {
    "ungrouped": (),
    "public": ("PUBLIC",),
    "authenticated": ("AUTHENTICATED",),
    "hidden": ("HIDDEN",),
    "hidden+public": ("HIDDEN", "PUBLIC"),
    "hidden+authenticated": ("HIDDEN", "AUTHENTICATED"),
}
USER_EMAIL, USER_PASSWORD = "user@kairos.local", "user-password-1"


@dataclass
class World:
    kairos: Running
    ids: dict[str, int]  # resource name -> id
    groups: dict[str, int]  # visibility -> group id
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    def names(self, ids: set[int]) -> set[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return {by_id[i] for i in ids if i in by_id}


async def _key(kairos: Running, role: str) -> str:
    r = await kairos.client.post("/api/api-keys", json={"name": f"{role} key", "role": role})
    assert r.status_code == 201, r.text
    return str(r.json()["key"])


@contextlib.asynccontextmanager
async def build_world(kairos: Running, target: Target) -> AsyncIterator[World]:
    groups = {v: await add_group(kairos, v.title(), v) for v in VISIBILITIES}
    ids: dict[str, int] = {}
    for name in RESOURCES:
        member_of = [groups[v] for v in _MEMBERSHIP[name]]
        ids[name] = int((await create_resource(kairos, target.url("/"), name=name, groupIds=member_of))["id"])
    start = datetime.now(UTC) - timedelta(hours=2)
    for rid in ids.values():
        await add_outage(kairos, rid, start, start + timedelta(minutes=5))
    await add_user(kairos, USER_EMAIL, USER_PASSWORD)
    world = World(kairos, ids, groups)
    async with contextlib.AsyncExitStack() as stack:
        user = await stack.enter_async_context(httpx.AsyncClient(base_url=kairos.url, timeout=30))
        assert (await sign_in(user, USER_EMAIL, USER_PASSWORD)).status_code == 303
        world.clients = {
            "anonymous": kairos.anon,
            "user": user,
            "admin_user": await stack.enter_async_context(admin_browser(kairos)),
            "read_key": await stack.enter_async_context(
                httpx.AsyncClient(base_url=kairos.url, timeout=30, headers={"X-API-Key": await _key(kairos, "READ")})
            ),
            "admin_key": kairos.client,
        }
        yield world
