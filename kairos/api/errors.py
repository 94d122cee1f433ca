"""One error shape for every failure: ``{"error": {"code", "message", "field"}}``.

Handlers map FastAPI/pydantic validation, Starlette HTTP errors, database errors and anything unexpected onto
that shape. Messages never echo the rejected input: a request body may carry a secret."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kairos.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, RateLimited
from kairos.services.fields import field_path  # re-exported: adapters spell fields alike

log = logging.getLogger("kairos.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}
_NOT_AN_OBJECT = ("model_attributes_type", "model_type", "dict_type")


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `validation_error`, `not_found`.")
    message: str = Field(description="One line for humans.")
    field: str | None = Field(None, description="The offending field or parameter (camelCase), if any.")


class ErrorResponse(BaseModel):
    """Every 4xx and 5xx answer of the API has this shape."""

    error: ErrorDetail


class ApiError(Exception):
    """Raised by routes and services; turned into the error shape by ``api_error_handler``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def invalid(field: str, message: str, status: int = 422) -> ApiError:
    return ApiError(status, "validation_error", message, field)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the error shape for ``statuses``."""
    text = {
        400: "Malformed request (bad JSON, bad parameter value)",
        401: "No or invalid credentials",
        403: "Authenticated, but an admin is required",
        404: "No such object",
        409: "Conflicts with existing data",
        422: "Validation failed; `field` names the first problem",
        503: "The database is unreachable",
    }
    return {s: {"model": ErrorResponse, "description": text.get(s, "Error")} for s in statuses}


def _message(err: dict[str, Any], field: str | None) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return f"unknown field '{field}'"
    if kind == "missing":
        return f"'{field}' is required" if field else "a request body is required"
    if field is None and kind in _NOT_AN_OBJECT:
        return "the request body must be a JSON object sent as Content-Type: application/json"
    msg = str(err.get("msg", "invalid value"))
    # Errors raised by our own validators arrive as "Value error, <message>".
    msg = msg.removeprefix("Value error, ")
    return f"{field}: {msg}" if field else msg


def validation_response(errors: Sequence[Any], status: int = 422) -> JSONResponse:
    if not errors:
        return JSONResponse(error_body("validation_error", "invalid request"), status_code=status)
    first = dict(errors[0])
    if first.get("type") == "json_invalid":
        return JSONResponse(error_body("invalid_json", "the request body is not valid JSON"), status_code=400)
    field = field_path(first.get("loc", ()))
    return JSONResponse(error_body("validation_error", _message(first, field), field), status_code=status)


async def api_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status, headers=exc.headers)


# Most specific first: the first class in this list that the error is an instance of gives its status.
_DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (Invalid, 422),
    (Forbidden, 403),
    (RateLimited, 429),
)


def domain_status(exc: DomainError) -> int:
    return next((status for cls, status in _DOMAIN_STATUS if isinstance(exc, cls)), 400)


async def domain_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RateLimited) else None
    return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=domain_status(exc), headers=headers)


async def request_validation_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return validation_response(exc.errors())


async def http_exception_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODES.get(exc.status_code, "error" if exc.status_code < 500 else "internal")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def integrity_handler(_: Request, exc: Exception) -> JSONResponse:
    # A unique or foreign-key rule of the database said no, e.g. a group name already in use.
    log.info("integrity error: %s", type(exc).__name__)
    return JSONResponse(error_body("conflict", "conflicts with existing data"), status_code=409)


async def data_error_handler(_: Request, exc: Exception) -> JSONResponse:
    # The database refused a value our validation let through (out of range, NUL byte): still bad input.
    log.info("data error: %s", type(exc).__name__)
    return JSONResponse(
        error_body("validation_error", "a value cannot be stored (out of range or invalid)"), status_code=422
    )


async def database_down_handler(_: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    return JSONResponse(
        error_body("database_unavailable", "the database is unreachable, try again"),
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    # One line here; the server logs the traceback itself when Starlette re-raises after this answer.
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return JSONResponse(error_body("internal", "internal error; it has been logged"), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)
    app.add_exception_handler(IntegrityError, integrity_handler)
    app.add_exception_handler(DataError, data_error_handler)
    app.add_exception_handler(OperationalError, database_down_handler)
    app.add_exception_handler(InterfaceError, database_down_handler)
    app.add_exception_handler(Exception, unexpected_handler)
