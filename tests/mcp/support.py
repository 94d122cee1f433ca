"""Helpers of the MCP tests: the SDK's own client against a running Kairos, keys with scopes made through the
REST API, and a world with a HIDDEN group to test visibility."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx2
from mcp.client.client import Client, ConnectMode
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from tests.harness import Running

ALL_TOOLS = {
    "listResources": "STATUS_READ",
    "getResource": "STATUS_READ",
    "getResourceStatus": "STATUS_READ",
    "getCheckHistory": "STATUS_READ",
    "getUptime": "STATUS_READ",
    "getLatency": "STATUS_READ",
    "whatIsDown": "STATUS_READ",
    "listOutages": "STATUS_READ",
    "listAnnouncements": "STATUS_READ",
    "listMaintenanceWindows": "STATUS_READ",
    "listGroups": "STATUS_READ",
    "triggerCheck": "CHECK_EXECUTE",
    "runInstantCheck": "CHECK_EXECUTE",
    "createAnnouncement": "ANNOUNCEMENT_MANAGE",
    "createResource": "RESOURCE_MANAGE",
    "updateResource": "RESOURCE_MANAGE",
    "setResourceEnabled": "RESOURCE_MANAGE",
    "createMaintenanceWindow": "RESOURCE_MANAGE",
    "endMaintenanceWindow": "RESOURCE_MANAGE",
}


async def make_key(kairos: Running, *scopes: str) -> str:
    response = await kairos.client.post("/api/api-keys", json={"name": "mcp " + " ".join(scopes), "scopes": scopes})
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


@contextlib.asynccontextmanager
async def mcp_client(kairos: Running, key: str, mode: ConnectMode = "auto") -> AsyncIterator[Client]:
    """The SDK's client over Streamable HTTP at /mcp, with the key as a Bearer token."""
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http,
        Client(streamable_http_client(kairos.url + "/mcp", http_client=http), mode=mode, cache=None) as client,
    ):
        yield client


@contextlib.asynccontextmanager
async def sse_mcp_client(kairos: Running, key: str) -> AsyncIterator[Client]:
    """The SDK's client over the legacy SSE pair (GET /sse, then POST /mcp/message)."""
    transport = sse_client(kairos.url + "/sse", headers={"Authorization": f"Bearer {key}"})
    async with Client(transport, mode="legacy", cache=None) as client:
        yield client


def data(result: CallToolResult) -> Any:
    """A successful call's answer (structured content, unwrapped when the SDK wrapped a list)."""
    assert not result.is_error, result.content
    content = result.structured_content
    assert content is not None
    return content["result"] if set(content) == {"result"} else content


def error(result: CallToolResult, code: str, field: str | None = None) -> dict[str, Any]:
    """A tool error's body: the REST API's ``{"error": {"code", "message", "field"}}``, as text too."""
    assert result.is_error, result.content
    text = result.content[0]
    assert text.type == "text"
    body = json.loads(text.text)
    assert body == result.structured_content
    failure = dict(body["error"])
    assert failure["code"] == code, failure
    assert failure["message"]
    if field is not None:
        assert failure["field"] == field, failure
    return failure


@dataclass
class World:
    public_id: int  # in a PUBLIC group
    hidden_id: int  # only in a HIDDEN group
    hidden_group: int


async def hidden_world(kairos: Running, target_url: str) -> World:
    """Two resources against the loopback target, one in a PUBLIC group and one only in a HIDDEN group."""
    groups = {}
    for name, visibility in (("Shop", "PUBLIC"), ("Back office", "HIDDEN")):
        r = await kairos.client.post("/api/groups", json={"name": name, "visibility": visibility})
        assert r.status_code == 201, r.text
        groups[visibility] = int(r.json()["id"])
    ids = {}
    for name, visibility in (("shop", "PUBLIC"), ("ledger", "HIDDEN")):
        body = {"name": name, "resourceType": "HTTP", "target": target_url, "groupIds": [groups[visibility]]}
        r = await kairos.client.post("/api/resources", json=body)
        assert r.status_code == 201, r.text
        ids[visibility] = int(r.json()["id"])
    return World(ids["PUBLIC"], ids["HIDDEN"], groups["HIDDEN"])
