"""``listResources`` pages and filters as ``GET /api/resources`` does (same service), in natural name order."""

from __future__ import annotations

from tests.api.loopback import Target
from tests.api.support import create_resource
from tests.harness import Running
from tests.mcp.support import data, error, make_key, mcp_client


async def test_list_resources_pages_filters_and_sorts_names_naturally(kairos: Running, target: Target) -> None:
    for name in ("node-10", "node-2", "Node-1", "db-1"):
        await create_resource(kairos, target.url("/" + name), name=name, active=False)
    async with mcp_client(kairos, await make_key(kairos, "MCP_ACCESS", "STATUS_READ")) as client:
        everything = data(await client.call_tool("listResources"))
        assert [r["name"] for r in everything] == ["db-1", "Node-1", "node-2", "node-10"]
        pages = [
            [r["name"] for r in data(await client.call_tool("listResources", {"q": "node", "pageSize": 2, "page": p}))]
            for p in (0, 1, 2)
        ]
        assert pages == [["Node-1", "node-2"], ["node-10"], []]
        unknown = data(await client.call_tool("listResources", {"status": "unknown,FAILING", "q": "db"}))
        assert [r["name"] for r in unknown] == ["db-1"]
        error(await client.call_tool("listResources", {"status": "sideways"}), "validation_error", "status")
