"""PUSH resources through the MCP server, with the SDK's own client: ``createResource`` answers the ping URL once;
every later tool sees the resource like any other, without its token."""

from __future__ import annotations

from tests.api.support import wait_for_status
from tests.harness import Running
from tests.mcp.support import data, make_key, mcp_client


async def test_create_resource_returns_the_push_token_once(kairos: Running) -> None:
    async with mcp_client(kairos, await make_key(kairos, "MCP_ACCESS", "RESOURCE_MANAGE", "STATUS_READ")) as client:
        created = data(
            await client.call_tool(
                "createResource",
                {"name": "backup", "resourceType": "PUSH", "target": "cron@db1", "options": {"graceSeconds": 30}},
            )
        )
        push = created["push"]
        token = push["token"]
        assert token.startswith("kp_") and push["tokenHint"] == token[:7] and push["resourceId"] == created["id"]
        assert push["pushUrl"] == f"/api/push/{token}"  # no KAIROS_PUBLIC_URL in the tests: relative to Kairos
        again = data(await client.call_tool("getResource", {"resourceId": created["id"]}))
        assert again.get("push") is None and token not in str(again)
        listed = data(await client.call_tool("listResources"))
        assert token not in str(listed)
    assert (await kairos.anon.get(kairos.url + push["pushUrl"], params={"msg": "done"})).status_code == 200
    await wait_for_status(kairos, created["id"], "available")


async def test_other_kinds_get_no_push_field(kairos: Running) -> None:
    async with mcp_client(kairos, await make_key(kairos, "MCP_ACCESS", "RESOURCE_MANAGE")) as client:
        created = data(
            await client.call_tool("createResource", {"name": "db", "resourceType": "TCP", "target": "127.0.0.1:9"})
        )
    assert created.get("push") is None
