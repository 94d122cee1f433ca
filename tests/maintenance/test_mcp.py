"""The MCP tools for maintenance windows: the scopes they need, the API's rules and errors, the engine told."""

from __future__ import annotations

from tests.api.loopback import Target
from tests.harness import Running
from tests.maintenance.conftest import one_off, resource
from tests.mcp.support import data, error, make_key, mcp_client


async def test_a_manager_plans_and_ends_a_window_and_a_reader_only_lists(kairos: Running, target: Target) -> None:
    rid = await resource(kairos.client, target, "db", active=False)
    manager = await make_key(kairos, "MCP_ACCESS", "RESOURCE_MANAGE", "STATUS_READ")
    reader = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    async with mcp_client(kairos, manager) as client:
        made = data(await client.call_tool("createMaintenanceWindow", one_off(scope="resources", scopeIds=[rid])))
        assert made["active"] is True and made["scopeIds"] == [rid]
        bad = await client.call_tool("createMaintenanceWindow", one_off(start_min=5, end_min=1))
        assert "after startsAt" in error(bad, "validation_error", "endsAt")["message"]
        assert (await kairos.client.post(f"/api/resources/{rid}/check")).json()["status"] == "MAINTENANCE"
        ended = data(await client.call_tool("endMaintenanceWindow", {"windowId": made["id"]}))
        assert ended["active"] is False and ended["endedAt"] is not None
        error(await client.call_tool("endMaintenanceWindow", {"windowId": made["id"]}), "not_active")
    assert (await kairos.client.post(f"/api/resources/{rid}/check")).json()["status"] == "NOT_AVAILABLE"
    async with mcp_client(kairos, reader) as client:
        listed = data(await client.call_tool("listMaintenanceWindows", {}))
        assert [w["id"] for w in listed] == [made["id"]] and listed[0]["createdBy"] is None
        refused = error(await client.call_tool("endMaintenanceWindow", {"windowId": made["id"]}), "forbidden")
        assert refused["scope"] == "RESOURCE_MANAGE"
