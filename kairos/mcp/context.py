"""Who is calling a tool: the :class:`~kairos.api.deps.Caller` the HTTP auth wrapper (kairos.mcp.auth) put in
the request's scope, bound to a context variable for the duration of one MCP message.

A context variable rather than a tool argument: the SDK does not pass a context to static resources
(``kairos://status``), and the binding happens once, in a server middleware, for every kind of message. A
message without an authenticated request behind it (which the HTTP routes never let through) reads as
anonymous, which no tool accepts: it fails closed."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from starlette.requests import Request

from kairos.api.deps import ANONYMOUS, Caller

SCOPE_KEY = "kairos.caller"  # where kairos.mcp.auth leaves the Caller in the ASGI scope

_caller: ContextVar[Caller] = ContextVar("kairos_mcp_caller", default=ANONYMOUS)


def current_caller() -> Caller:
    return _caller.get()


def caller_of(request: Any) -> Caller:
    """The Caller the auth wrapper stored on the HTTP request, or ANONYMOUS."""
    if isinstance(request, Request):
        found = request.scope.get(SCOPE_KEY)
        if isinstance(found, Caller):
            return found
    return ANONYMOUS


async def bind_caller(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Server middleware: the message's handler runs with its HTTP request's caller bound."""
    token = _caller.set(caller_of(ctx.request))
    try:
        return await call_next(ctx)
    finally:
        _caller.reset(token)
