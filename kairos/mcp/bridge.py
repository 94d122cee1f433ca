"""``kairos mcp``: the MCP server on stdio for a local assistant, bridged to a running Kairos' ``/mcp``.

It holds no tool of its own: every list and call goes to the server with the user's API key, so the tools,
their scopes, visibility and errors are exactly the server's. The bridge is the SDK's stdio server transport
and low-level server in front of the SDK's Streamable HTTP client; it checks the URL and the key before it
serves, so a wrong one is one line on stderr, not a silent assistant."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx2
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.server.stdio import stdio_server
from mcp.types import (
    CallToolRequestParams,
    CallToolResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    ListToolsResult,
    PaginatedRequestParams,
    ReadResourceRequestParams,
    ReadResourceResult,
)

from kairos import __version__

Ctx = ServerRequestContext[Any, Any]
TIMEOUT = httpx2.Timeout(30.0, read=330.0)  # triggerCheck waits for the check: up to its timeout, at most 300 s


class BridgeError(Exception):
    """The server cannot be used: a wrong URL, key or scope; the message is one line for the terminal."""


def endpoint(url: str) -> str:
    """The ``/mcp`` URL from a server's base URL (``http://kairos:8080``) or the ``/mcp`` URL itself."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BridgeError(f"--url must be an http(s) URL of a Kairos server, not {url!r}")
    path = parts.path.rstrip("/")
    return parts._replace(path=path if path.endswith("/mcp") else path + "/mcp", query="", fragment="").geturl()


def _refusal(response: httpx2.Response) -> str:
    try:
        message = str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = f"HTTP {response.status_code}"
    return f"{response.request.url} refused the key: {message}"


PING = {"jsonrpc": "2.0", "id": 0, "method": "ping"}
PING_HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}


async def preflight(http: httpx2.AsyncClient, url: str) -> None:
    """One ping before serving: the gate in front of /mcp answers a wrong key (401, 429) or a key without
    MCP_ACCESS (403) before the SDK reads the message; the server answers the ping when all is well."""
    try:
        response = await http.post(url, json=PING, headers=PING_HEADERS)
    except httpx2.HTTPError as exc:
        raise BridgeError(f"cannot reach {url}: {exc.__class__.__name__}: {str(exc) or 'no answer'}") from None
    if response.status_code in (401, 403, 429):
        raise BridgeError(_refusal(response))
    if response.status_code == 404:
        raise BridgeError(f"{url} is not a Kairos MCP endpoint (404): check --url")
    if response.status_code != 200:
        raise BridgeError(f"{url} answered HTTP {response.status_code} to an MCP ping: is it a Kairos server?")


def proxy_server(remote: Client) -> Server[Any]:
    """A low-level server whose every handler asks ``remote``."""

    async def list_tools(_: Ctx, params: PaginatedRequestParams | None) -> ListToolsResult:
        return await remote.list_tools(cursor=params.cursor if params else None)

    async def call_tool(_: Ctx, params: CallToolRequestParams) -> CallToolResult:
        return await remote.call_tool(params.name, params.arguments)

    async def list_resources(_: Ctx, params: PaginatedRequestParams | None) -> ListResourcesResult:
        return await remote.list_resources(cursor=params.cursor if params else None)

    async def list_templates(_: Ctx, params: PaginatedRequestParams | None) -> ListResourceTemplatesResult:
        return await remote.list_resource_templates(cursor=params.cursor if params else None)

    async def read_resource(_: Ctx, params: ReadResourceRequestParams) -> ReadResourceResult:
        return await remote.read_resource(str(params.uri))

    return Server(
        "kairos",
        version=__version__,
        title="Kairos",
        instructions=remote.instructions,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_templates,
        on_read_resource=read_resource,
    )


@contextlib.asynccontextmanager
async def connected(url: str, api_key: str) -> AsyncIterator[Client]:
    """An MCP client of the server at ``url``, checked first (:func:`preflight`)."""
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {api_key}"}, timeout=TIMEOUT) as http:
        await preflight(http, url)
        # No response cache: the assistant asks through the bridge, and the server's answer is the truth.
        async with Client(streamable_http_client(url, http_client=http), cache=None) as remote:
            yield remote


async def run_bridge(url: str, api_key: str) -> None:
    async with connected(url, api_key) as remote:
        server = proxy_server(remote)
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())
