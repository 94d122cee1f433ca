"""The other ways in: the 2025 initialize handshake on /mcp (what assistants speak today), the legacy SSE pair
of the Java Kairos (GET /sse, POST /mcp/message), and the stateless design a fleet's load balancer relies on."""

from __future__ import annotations

import httpx
from mcp.client.client import Client
from mcp.client.sse import sse_client

from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource
from tests.harness import Running
from tests.mcp.support import ALL_TOOLS, data, error, make_key, mcp_client, sse_mcp_client

MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


async def test_the_initialize_handshake_works_on_mcp(kairos: Running, target: Target) -> None:
    resource = await create_resource(kairos, target.url(), name="web")
    key = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    async with mcp_client(kairos, key, mode="legacy") as client:
        assert client.server_info is not None and client.server_info.name == "kairos"
        assert {t.name for t in (await client.list_tools()).tools} == set(ALL_TOOLS)
        detail = data(await client.call_tool("getResource", {"resourceId": resource["id"]}))
        assert detail["name"] == "web"
        error(await client.call_tool("triggerCheck", {"resourceId": resource["id"]}), "forbidden")


async def test_no_session_is_kept_so_any_web_node_can_answer(kairos: Running) -> None:
    """Stateless: no Mcp-Session-Id is handed out, and a call needs no earlier initialize on this node."""
    key = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {key}", "MCP-Protocol-Version": "2025-06-18"}
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    first = await kairos.anon.post("/mcp", json=init, headers=headers)
    assert first.status_code == 200 and "mcp-session-id" not in first.headers
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "whatIsDown", "arguments": {}}}
    answer = await kairos.anon.post("/mcp", json=call, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["structuredContent"]["total"] == 0


async def test_the_legacy_sse_pair_serves_the_same_tools(kairos: Running, target: Target) -> None:
    resource = await create_resource(kairos, target.url(), name="web")
    key = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    async with sse_mcp_client(kairos, key) as client:
        assert {t.name for t in (await client.list_tools()).tools} == set(ALL_TOOLS)
        status = data(await client.call_tool("getResourceStatus", {"resourceId": resource["id"]}))
        assert status["name"] == "web"
        error(await client.call_tool("createAnnouncement", {"content": "x"}), "forbidden")


async def test_a_legacy_sse_session_answers_only_the_key_that_opened_it(kairos: Running) -> None:
    owner = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    other = await make_key(kairos, "MCP_ACCESS", "ADMIN")
    sessions: list[str] = []
    transport = sse_client(
        kairos.url + "/sse", headers={"Authorization": f"Bearer {owner}"}, on_session_created=sessions.append
    )
    async with Client(transport, mode="legacy", cache=None) as client:
        assert (await client.list_tools()).tools
        assert sessions
        ping = {"jsonrpc": "2.0", "id": 9, "method": "ping"}
        async with httpx.AsyncClient(base_url=kairos.url) as http:
            stolen = await http.post(
                f"/mcp/message?session_id={sessions[0]}", json=ping, headers={"Authorization": f"Bearer {other}"}
            )
            anonymous = await http.post(f"/mcp/message?session_id={sessions[0]}", json=ping)
        assert stolen.status_code == 404
        assert_error(anonymous, 401, "unauthorized")


async def test_mcp_takes_posts_only_so_no_stream_is_left_open(kairos: Running) -> None:
    key = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    for method in ("GET", "DELETE"):
        response = await kairos.anon.request(method, "/mcp", headers={**MCP_HEADERS, "Authorization": f"Bearer {key}"})
        assert_error(response, 405, "method_not_allowed")
