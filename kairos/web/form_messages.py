"""Human messages for the console's form errors: pydantic's refusal of a value, said as what to enter.

The API keeps pydantic's machine-readable wording (kairos/api/errors.py); a person filling in a form reads
"Enter whole seconds between 5 and 86,400." instead of "Input should be a valid integer, unable to parse string
as an integer". The field's unit comes from its name (``intervalSeconds``, ``timeoutMs``, ``certExpiryDays``),
its bounds and number type from the model's JSON schema, so a message names the whole allowed range even when
only one bound was crossed."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

# The last word of a field name and the unit it stands for.
_UNITS = {
    "seconds": "seconds", "s": "seconds", "ms": "milliseconds", "millis": "milliseconds",
    "minutes": "minutes", "hours": "hours", "days": "days", "bytes": "bytes",
}  # fmt: skip
_REQUIRED = "This is required."


def unit_of(field: str) -> str | None:
    """``intervalSeconds`` → ``seconds``, ``duration_minutes`` → ``minutes``; None for a plain number."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", field.rsplit(".", 1)[-1])
    return _UNITS.get(words[-1].lower()) if len(words) > 1 else None


@dataclass(frozen=True, slots=True)
class Range:
    """What a number field takes: whole or not, and its bounds (None: unbounded; ``*_open``: the bound
    itself is refused, as with ``gt``/``lt``)."""

    whole: bool
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def _range_of(schema: Mapping[str, Any]) -> Range | None:
    """The number range of one property's JSON schema (an optional field's schema is an ``anyOf`` with null)."""
    for option in (schema, *schema.get("anyOf", ())):
        if option.get("type") in ("integer", "number"):
            low, high = option.get("minimum"), option.get("maximum")
            low_open, high_open = (
                low is None and "exclusiveMinimum" in option,
                high is None and "exclusiveMaximum" in option,
            )
            return Range(
                option["type"] == "integer",
                option.get("exclusiveMinimum") if low_open else low,
                option.get("exclusiveMaximum") if high_open else high,
                low_open,
                high_open,
            )
    return None


@lru_cache(maxsize=256)
def _schema_properties(model: type[BaseModel]) -> Mapping[str, Any]:
    try:
        return dict(model.model_json_schema().get("properties", {}))
    except Exception:  # a model whose types have no JSON schema: messages without bounds, never a 500
        return {}


def _all_models() -> dict[str, set[type[BaseModel]]]:
    found: dict[str, set[type[BaseModel]]] = {}
    pending = list(BaseModel.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("kairos."):  # a library's model of the same name is never a form's
            found.setdefault(cls.__name__, set()).add(cls)
        pending.extend(cls.__subclasses__())
    return found


def model_named(title: str) -> type[BaseModel] | None:
    """The model a ValidationError names by its title (the class name), when exactly one class has it: the
    routes validate with many models and the error carries only that name."""
    models = _all_models().get(title, set())
    return next(iter(models)) if len(models) == 1 else None


def range_of(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> Range | None:
    """The range of a top-level field of ``model`` named by ``loc`` (its JSON key), if it is a number."""
    if model is None or len(loc) != 1 or not isinstance(loc[0], str):
        return None
    props = _schema_properties(model)
    prop = props.get(loc[0])
    if prop is None and (info := model.model_fields.get(loc[0])) is not None:
        prop = props.get(info.alias or loc[0])  # validated by its Python name, described by its alias
    return _range_of(prop) if isinstance(prop, Mapping) else None


def _what(whole: bool, unit: str | None) -> str:
    if unit:
        return f"whole {unit}" if whole else f"a number of {unit}"
    return "a whole number" if whole else "a number"


def _bounds(r: Range) -> str:
    """`` between 5 and 86,400``, ``, at least 1``, ``, more than 0 and less than 1`` or nothing."""
    low = None if r.low is None else ("more than " if r.low_open else "at least ") + _number(r.low)
    high = None if r.high is None else ("less than " if r.high_open else "at most ") + _number(r.high)
    if low and high and not (r.low_open or r.high_open):
        return f" between {_number(r.low or 0)} and {_number(r.high or 0)}"
    return ", " + " and ".join(b for b in (low, high) if b) if low or high else ""


def _number_message(err: ErrorDetails, unit: str | None, known: Range | None) -> str:
    ctx = err.get("ctx") or {}
    whole = known.whole if known else err["type"].startswith("int") or isinstance(ctx.get("ge", ctx.get("le")), int)
    r = known or Range(whole, ctx.get("ge", ctx.get("gt")), ctx.get("le", ctx.get("lt")), "gt" in ctx, "lt" in ctx)
    return f"Enter {_what(r.whole, unit)}{_bounds(r)}."


def _choices(err: ErrorDetails) -> str:
    expected = str((err.get("ctx") or {}).get("expected", ""))
    return f"Choose one of: {expected.replace(chr(39), '')}." if expected else "Choose one of the offered values."


def _length(err: ErrorDetails, what: str) -> str:
    ctx = err.get("ctx") or {}
    if err["type"].endswith("too_long"):
        return f"Use at most {_number(ctx.get('max_length', 0))} {what}."
    least = ctx.get("min_length", 1)
    return _REQUIRED if least <= 1 else f"Use at least {_number(least)} {what}."


def _own(err: ErrorDetails) -> str:
    """A validator's own message (already written for people), without pydantic's prefix."""
    message = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return _REQUIRED if message in ("must not be blank", "") else message


_NUMBER_TYPES = (
    "int_parsing", "int_type", "int_from_float", "float_parsing", "float_type", "finite_number",
    "greater_than", "greater_than_equal", "less_than", "less_than_equal", "multiple_of",
)  # fmt: skip
_FIXED = {
    "missing": _REQUIRED,
    "extra_forbidden": "Unknown field.",
    "bool_parsing": "Choose yes or no.",
    "bool_type": "Choose yes or no.",
    "url_parsing": "Enter an address starting with http:// or https://.",
    "url_scheme": "Enter an address starting with http:// or https://.",
    "url_type": "Enter an address starting with http:// or https://.",
    "url_too_long": "This address is too long.",
    "datetime_parsing": "Enter a date and time, e.g. 2026-05-01 14:30.",
    "datetime_from_date_parsing": "Enter a date and time, e.g. 2026-05-01 14:30.",
    "datetime_type": "Enter a date and time, e.g. 2026-05-01 14:30.",
    "date_parsing": "Enter a date, e.g. 2026-05-01.",
    "date_from_datetime_parsing": "Enter a date, e.g. 2026-05-01.",
    "time_parsing": "Enter a time, e.g. 14:30.",
    "timezone_aware": "Enter a date and time with its time zone.",
    "json_invalid": "Enter valid JSON.",
    "string_type": "Enter text.",
    "string_pattern_mismatch": "This is not in the expected form.",
    "list_type": "Enter a list of values.",
    "dict_type": "Enter name: value pairs.",
    "uuid_parsing": "Enter an id like 123e4567-e89b-12d3-a456-426614174000.",
}
_BY_TYPE: dict[str, Callable[[ErrorDetails], str]] = {
    "literal_error": _choices,
    "enum": _choices,
    "string_too_long": lambda e: _length(e, "characters"),
    "string_too_short": lambda e: _length(e, "characters"),
    "too_long": lambda e: _length(e, "entries"),
    "too_short": lambda e: _length(e, "entries"),
    "value_error": _own,
    "assertion_error": _own,
}


def human_message(err: ErrorDetails, field: str, model: type[BaseModel] | None = None) -> str:
    """What a person should enter in ``field`` (its API name) for one pydantic error of ``model``."""
    kind = err["type"]
    if kind in _NUMBER_TYPES:
        return _number_message(err, unit_of(field), range_of(model, tuple(err.get("loc", ()))))
    if kind in _FIXED:
        return _FIXED[kind]
    if kind in _BY_TYPE:
        return _BY_TYPE[kind](err)
    return "This value is not accepted here."
