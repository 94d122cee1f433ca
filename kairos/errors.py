"""The domain's errors: what services raise when a rule says no. They know no web framework.

Each adapter maps them once: the API to ``{"error": {"code", "message", "field"}}`` with a status
(``kairos.api.errors``), the console to a form error or an error page, the CLI to one line and an exit code.
``code`` is stable (clients match on it); ``field`` names the offending input in the API's spelling
(camelCase, dotted for nested options) when there is one."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the tree; catch the most specific class that fits."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does (hidden resources)."""

    code = "not_found"

    @classmethod
    def of(cls, what: str) -> NotFound:
        return cls(f"{what} not found")


class Conflict(DomainError):
    """The change clashes with what is stored (a name in use, a last admin removed)."""

    code = "conflict"


class Invalid(DomainError):
    """The input breaks a rule; ``field`` says which input."""

    code = "validation_error"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    code = "forbidden"


class RateLimited(DomainError):
    """Too many at once or too often; ``retry_after_s`` says when to try again."""

    code = "too_many_requests"

    def __init__(
        self, message: str, *, retry_after_s: int = 5, field: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, field=field, code=code)
        self.retry_after_s = retry_after_s
