"""Each tool's scope, checked per call against the key, and the REST API's visibility in everything a tool or
resource returns: a HIDDEN group and its resources exist only for keys that may see them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp.shared.exceptions import MCPError

from tests.api.loopback import Target
from tests.harness import Running, wait_for
from tests.mcp.support import ALL_TOOLS, data, error, hidden_world, make_key, mcp_client


async def test_a_status_read_key_sees_neither_hidden_groups_nor_their_resources(
    kairos: Running, target: Target
) -> None:
    world = await hidden_world(kairos, target.url("/fail"))
    await wait_for(lambda: kairos.runtime.board.state(world.hidden_id))
    reader = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    async with mcp_client(kairos, reader) as client:
        names = [r["name"] for r in data(await client.call_tool("listResources"))]
        assert names == ["shop"]
        assert [g["name"] for g in data(await client.call_tool("listGroups"))] == ["Shop"]
        for tool in ("getResource", "getResourceStatus", "getCheckHistory", "getUptime", "getLatency"):
            error(await client.call_tool(tool, {"resourceId": world.hidden_id}), "not_found")
        error(await client.call_tool("listOutages", {"resourceId": world.hidden_id}), "not_found")
        assert [d["name"] for d in data(await client.call_tool("whatIsDown"))["down"]] == ["shop"]
        status = json.loads((await client.read_resource("kairos://status")).contents[0].text)  # type: ignore[union-attr]
        assert [d["name"] for d in status["down"]] == ["shop"]
        with pytest.raises(MCPError):
            await client.read_resource(f"kairos://resources/{world.hidden_id}")
        shown = await client.read_resource(f"kairos://resources/{world.public_id}")
        assert json.loads(shown.contents[0].text)["name"] == "shop"  # type: ignore[union-attr]


async def test_an_admin_key_sees_the_hidden_group_and_its_resources(kairos: Running, target: Target) -> None:
    world = await hidden_world(kairos, target.url())
    admin = await make_key(kairos, "ADMIN")
    async with mcp_client(kairos, admin) as client:
        assert {r["name"] for r in data(await client.call_tool("listResources"))} == {"shop", "ledger"}
        assert {g["name"] for g in data(await client.call_tool("listGroups"))} == {"Shop", "Back office"}
        detail = data(await client.call_tool("getResource", {"resourceId": world.hidden_id}))
        assert [g["id"] for g in detail["groups"]] == [world.hidden_group]


async def test_a_status_read_key_may_not_check_write_or_announce(kairos: Running, target: Target) -> None:
    world = await hidden_world(kairos, target.url())
    reader = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    calls: dict[str, dict[str, Any]] = {
        "triggerCheck": {"resourceId": world.public_id},
        "runInstantCheck": {"resourceType": "HTTP", "target": target.url()},
        "createAnnouncement": {"content": "hello"},
        "createResource": {"name": "x", "resourceType": "HTTP", "target": target.url()},
        "updateResource": {"resourceId": world.public_id, "name": "y"},
        "setResourceEnabled": {"resourceId": world.public_id, "enabled": False},
    }
    async with mcp_client(kairos, reader) as client:
        for name, arguments in calls.items():
            failure = error(await client.call_tool(name, arguments), "forbidden")
            assert failure["scope"] == ALL_TOOLS[name]
    stored = (await kairos.client.get(f"/api/resources/{world.public_id}")).json()
    assert (stored["name"], stored["active"]) == ("shop", True)
    assert (await kairos.client.get("/api/announcements")).json() == []


async def test_a_key_with_only_mcp_access_reads_nothing(kairos: Running, target: Target) -> None:
    await hidden_world(kairos, target.url())
    bare = await make_key(kairos, "MCP_ACCESS")
    async with mcp_client(kairos, bare) as client:
        assert {t.name for t in (await client.list_tools()).tools} == set(ALL_TOOLS)  # listed, not callable
        for name in ("listResources", "whatIsDown", "listGroups", "listAnnouncements", "listOutages"):
            error(await client.call_tool(name), "forbidden")
        with pytest.raises(MCPError, match="forbidden"):
            await client.read_resource("kairos://status")


async def test_a_check_key_checks_what_it_may_see_and_nothing_hidden(kairos: Running, target: Target) -> None:
    world = await hidden_world(kairos, target.url())
    checker = await make_key(kairos, "MCP_ACCESS", "CHECK_EXECUTE")
    async with mcp_client(kairos, checker) as client:
        verdict = data(await client.call_tool("triggerCheck", {"resourceId": world.public_id}))
        assert verdict["status"] == "AVAILABLE"
        error(await client.call_tool("triggerCheck", {"resourceId": world.hidden_id}), "not_found")
        error(await client.call_tool("getResource", {"resourceId": world.public_id}), "forbidden")


async def test_scoped_keys_do_what_their_scope_allows(kairos: Running, target: Target) -> None:
    world = await hidden_world(kairos, target.url())
    announcer = await make_key(kairos, "MCP_ACCESS", "ANNOUNCEMENT_MANAGE")
    manager = await make_key(kairos, "MCP_ACCESS", "RESOURCE_MANAGE")
    async with mcp_client(kairos, announcer) as client:
        created = data(await client.call_tool("createAnnouncement", {"content": "Deploy at 18:00"}))
        assert created["createdBy"] is None  # the author's email is for admins, as in the API
    async with mcp_client(kairos, manager) as client:
        paused = data(await client.call_tool("setResourceEnabled", {"resourceId": world.hidden_id, "enabled": False}))
        assert paused["active"] is False
