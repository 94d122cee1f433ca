"""Tool failures as MCP tool errors (``isError``) carrying the REST API's error shape and codes.

A failing tool answers ``{"error": {"code", "message", "field"}}``, as text and as structured content, with the
code the API gives for the same failure (kairos/api/errors.py): ``not_found``, ``forbidden``,
``validation_error``, ``conflict``, ``too_many_requests``, ``database_unavailable``, ``internal``. Messages
never echo the rejected input (an argument may hold a secret), and an unexpected error is logged here with its
traceback while the caller reads only ``internal``."""

from __future__ import annotations

import json
import logging
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError

from kairos.api.errors import ApiError, error_body
from kairos.errors import DomainError, RateLimited
from kairos.services.fields import field_path

log = logging.getLogger("kairos.mcp")


def error_result(code: str, message: str, field: str | None = None, **extra: Any) -> CallToolResult:
    body = error_body(code, message, field)
    body["error"].update(extra)
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(body))], structured_content=body, is_error=True
    )


def _validation(exc: ValidationError) -> CallToolResult:
    first = exc.errors()[0]
    field = field_path(first.get("loc", ()))
    kind = first.get("type", "")
    if kind == "missing":
        message = f"'{field}' is required"
    elif kind == "extra_forbidden":
        message = f"unknown argument '{field}'"
    else:
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        message = f"{field}: {message}" if field else message
    return error_result("validation_error", message, field)


def _known(exc: BaseException) -> CallToolResult | None:
    """The answer for an error a rule raised on purpose (or the database's refusal), else None."""
    if isinstance(exc, ValidationError):
        return _validation(exc)
    if isinstance(exc, RateLimited):
        return error_result(exc.code, exc.message, exc.field, retryAfterSeconds=exc.retry_after_s)
    if isinstance(exc, DomainError):
        return error_result(exc.code, exc.message, exc.field)
    if isinstance(exc, ApiError):
        return error_result(exc.code, exc.message, exc.field)
    if isinstance(exc, IntegrityError):
        return error_result("conflict", "conflicts with existing data")
    if isinstance(exc, DataError):
        return error_result("validation_error", "a value cannot be stored (out of range or invalid)")
    if isinstance(exc, OperationalError | InterfaceError):
        return error_result("database_unavailable", "the database is unreachable, try again")
    return None


def tool_failure(name: str, exc: ToolError) -> CallToolResult:
    """The SDK wraps whatever a tool raised in a ToolError (its ``__cause__``); an unknown tool or arguments
    that fail the input schema are ToolErrors too."""
    cause = exc.__cause__
    if cause is not None and (known := _known(cause)) is not None:
        return known
    if not isinstance(exc, UnexpectedToolError) and cause is None:
        return error_result("not_found", f"unknown tool '{name}'")
    log.error("MCP tool %s failed", name, exc_info=cause or exc)
    return error_result("internal", "internal error; it has been logged")
