"""Validation errors of a form, by the form field they belong to."""

from __future__ import annotations

from pydantic import ValidationError

from kairos.services.fields import field_path


def form_problems(exc: ValidationError, rename: dict[str, str] | None = None) -> dict[str, str]:
    """``{form field: message}`` for each field a model refused (the first message per field)."""
    out: dict[str, str] = {}
    for err in exc.errors():
        name = field_path(("body", *err.get("loc", ()))) or "form"
        name = (rename or {}).get(name, name)
        message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        out.setdefault(name, message)
    return out
