"""Validation errors of a form, by the form field they belong to."""

from __future__ import annotations

from pydantic import ValidationError

from kairos.services.fields import field_path
from kairos.web.form_messages import human_message, model_named


def form_problems(exc: ValidationError, rename: dict[str, str] | None = None) -> dict[str, str]:
    """``{form field: message}`` for each field a model refused (the first message per field), each message
    said for people (kairos/web/form_messages.py)."""
    out: dict[str, str] = {}
    model = model_named(exc.title)
    for err in exc.errors():
        field = field_path(("body", *err.get("loc", ()))) or "form"
        name = (rename or {}).get(field, field)
        out.setdefault(name, human_message(err, field, model))
    return out
