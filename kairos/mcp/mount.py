"""The MCP routes on the application, and what the lifespan runs for them.

- ``/mcp``: Streamable HTTP, stateless with JSON answers. No session lives in a web node's memory, so a fleet's
  web nodes behind a load balancer answer any request without sticky sessions, and a restart loses nothing.
- ``GET /sse`` + ``POST /mcp/message``: the legacy SSE pair the Java Kairos serves. A session lives on the node
  that holds its stream, so behind several web nodes this pair needs sticky sessions (docs/mcp.md).

All three sit behind :class:`~kairos.mcp.auth.RequireMcpKey`. The SDK's own Host/Origin check is off: the
application's Host allowlist (kairos.web.hosts) already guards every path, and /mcp opens only for a key in a
header, which a page of another origin cannot send here (no CORS on /mcp, no cookies) (docs/security.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from mcp.server.lowlevel.server import Server
from mcp.server.sse import SseServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from kairos.api.errors import error_body
from kairos.mcp.auth import RequireMcpKey
from kairos.mcp.server import KairosMCP, build_server
from kairos.runtime import Runtime

MCP_PATH = "/mcp"
SSE_PATH = "/sse"
MESSAGE_PATH = "/mcp/message"
MAX_BODY = 1024 * 1024  # the largest argument is an announcement (20,000 characters) or a resource's options
_HOST_CHECK_OFF = TransportSecuritySettings(enable_dns_rebinding_protection=False)


class McpEndpoints:
    """The server and its transports for one application."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.server: KairosMCP = build_server(runtime)
        # The SDK's transports drive the low-level server; MCPServer exposes it only to its own runners.
        self.lowlevel: Server[Any] = self.server._lowlevel_server
        self.sse = SseServerTransport(MESSAGE_PATH, security_settings=_HOST_CHECK_OFF, max_request_body_size=MAX_BODY)
        self._http: StreamableHTTPSessionManager | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """For the application's lifespan: a manager runs once, so each start makes its own."""
        manager = StreamableHTTPSessionManager(
            self.lowlevel,
            stateless=True,
            json_response=True,
            security_settings=_HOST_CHECK_OFF,
            max_request_body_size=MAX_BODY,
        )
        async with manager.run():
            self._http = manager
            try:
                yield
            finally:
                self._http = None

    async def streamable_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            # Stateless: there is no session to end (DELETE) and nothing to push on a GET stream, which the SDK
            # would hold open for as long as the client likes.
            body = error_body("method_not_allowed", "the MCP endpoint takes POST (stateless Streamable HTTP)")
            await JSONResponse(body, status_code=405, headers={"Allow": "POST"})(scope, receive, send)
            return
        if self._http is None:  # before the lifespan started it, or after it stopped
            body = error_body("unavailable", "the MCP server is starting or stopping; try again")
            await JSONResponse(body, status_code=503, headers={"Retry-After": "5"})(scope, receive, send)
            return
        await self._http.handle_request(scope, receive, send)

    async def sse_stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with self.sse.connect_sse(scope, receive, send) as (read, write):
            await self.lowlevel.run(read, write, self.lowlevel.create_initialization_options())

    async def sse_message(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.sse.handle_post_message(scope, receive, send)


def install(app: FastAPI, endpoints: McpEndpoints) -> None:
    """Add the routes (left out of the OpenAPI document: they speak MCP, not REST); the application's lifespan
    runs ``endpoints.running()``."""
    routes = (
        (MCP_PATH, endpoints.streamable_http, ["GET", "POST", "DELETE"]),
        (SSE_PATH, endpoints.sse_stream, ["GET"]),
        (MESSAGE_PATH, endpoints.sse_message, ["POST"]),
    )
    for path, handler, methods in routes:
        app.router.routes.append(
            Route(path, endpoint=RequireMcpKey(handler, endpoints.runtime), methods=methods, include_in_schema=False)
        )
