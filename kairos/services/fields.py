"""A pydantic error location in the API's spelling, so every adapter names the offending field alike."""

from __future__ import annotations

from collections.abc import Sequence


def _camel(name: str) -> str:
    """Python parameter names (``resource_id``) in the API's spelling (``resourceId``)."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


# Location parts pydantic adds for unions and validators; they are not field names.
_NOT_A_FIELD = ("function-", "union[", "tagged-union[", "nullable[", "json-or-python[", "lax-or-strict[")


def field_path(loc: Sequence[int | str]) -> str | None:
    """``("body", "options", "headers", 0)`` → ``"options.headers[0]"``; None for the body as a whole."""
    source = loc[0] if loc else None
    parts = list(loc[1:]) if source in ("body", "query", "path", "header") else list(loc)
    # Body locations already hold the JSON keys (aliases, or what the caller sent); parameters hold the
    # Python names of the route's arguments.
    rename = _camel if source in ("query", "path", "header") else str
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith(_NOT_A_FIELD):
            out += ("." if out else "") + rename(part)
    return out or None
