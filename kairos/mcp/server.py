"""The MCP server object: Kairos' tools and resources on the SDK's ``MCPServer``, each tool with the scope it
needs (checked per call against the caller, kairos.mcp.context) and errors answered as the API answers them
(kairos.mcp.errors)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, ToolAnnotations

from kairos import __version__
from kairos.api.deps import missing_scope
from kairos.auth.scopes import Scope
from kairos.mcp import resources
from kairos.mcp.context import bind_caller, current_caller
from kairos.mcp.errors import error_result, tool_failure
from kairos.mcp.tools import announcements, checks, maintenance, outages, status
from kairos.mcp.tools import resources as resource_tools
from kairos.runtime import Runtime

F = TypeVar("F", bound=Callable[..., Any])
SCOPE_META = "kairos/scope"  # each tool's ``_meta``: the scope it needs

INSTRUCTIONS = """Kairos monitors HTTP services, TCP endpoints and container images.
Start with whatIsDown (what fails now and since when) or listResources; ids from there feed getResourceStatus,
getCheckHistory, getUptime, getLatency and listOutages. Errors are JSON {"error": {"code", "message", "field"}}
with the REST API's codes: not_found also means the key may not see that resource."""


class KairosMCP(MCPServer[Any]):
    """``MCPServer`` that checks each tool's scope before the call and maps every failure to an API error."""

    def __init__(self) -> None:
        with _basic_config_off():
            super().__init__(
                "kairos",
                title="Kairos",
                version=__version__,
                instructions=INSTRUCTIONS,
                middleware=[bind_caller],
                log_level="WARNING",
            )
        self.scopes: dict[str, Scope] = {}

    def kairos_tool(self, scope: Scope, *, read_only: bool, open_world: bool = False) -> Callable[[F], F]:
        """Register a tool under its function's name (the Java Kairos' camelCase names), its docstring's first
        line as the description a model reads, and the scope it needs."""

        def register(fn: F) -> F:
            name = fn.__name__
            self.scopes[name] = scope
            self.add_tool(
                fn,
                name=name,
                description=(fn.__doc__ or "").strip().splitlines()[0],
                annotations=ToolAnnotations(
                    read_only_hint=read_only, destructive_hint=False, open_world_hint=open_world
                ),
                meta={SCOPE_META: scope.value},
            )
            return fn

        return register

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        scope = self.scopes.get(name)
        if scope is None:
            return error_result("not_found", f"unknown tool '{name}'")
        if not current_caller().has(scope):
            return error_result("forbidden", missing_scope(scope).message, scope=scope.value)
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            return tool_failure(name, exc)


@contextmanager
def _basic_config_off() -> Any:
    """``MCPServer()`` calls ``logging.basicConfig()``, which would give the root logger a handler and a level
    for the whole process; Kairos leaves logging to uvicorn and its settings. With a handler in place for the
    call, basicConfig does nothing."""
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)
    try:
        yield
    finally:
        root.removeHandler(guard)


def build_server(runtime: Runtime) -> KairosMCP:
    """The server with every tool and resource, bound to ``runtime`` (one per application)."""
    server = KairosMCP()
    for module in (status, outages, checks, announcements, maintenance, resource_tools):
        module.register(server, runtime)
    resources.register(server, runtime)
    return server
