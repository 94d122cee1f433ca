"""MCP: ``listResources`` shows each resource's tags and filters by ``tag`` like ``GET /api/resources?tag=``."""

from __future__ import annotations

from tests.harness import Running
from tests.mcp.support import data, error, make_key, mcp_client

BASE = {"resourceType": "TCP", "target": "127.0.0.1:9", "active": False}


async def test_list_resources_filters_by_tag(kairos: Running) -> None:
    tagged = [{"key": "env", "value": "prod", "colour": "#112233"}]
    await kairos.client.post("/api/resources", json={"name": "prod-api", **BASE, "tags": tagged})
    await kairos.client.post("/api/resources", json={"name": "other", **BASE})
    reader = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    async with mcp_client(kairos, reader) as client:
        found = data(await client.call_tool("listResources", {"tag": "env:prod"}))
        assert [r["name"] for r in found] == ["prod-api"]
        assert found[0]["tags"] == [{"key": "env", "value": "prod", "colour": "#112233"}]
        assert len(data(await client.call_tool("listResources"))) == 2
        error(await client.call_tool("listResources", {"tag": "no-colon"}), "validation_error")
