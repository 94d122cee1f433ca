"""Header values are secrets: write-only, shown as one fixed mask.

An HTTP check's ``options.headers`` values are often tokens (``Authorization: Bearer …``, ``X-Api-Key``). No
caller, admins included, reads a stored value back: the API, the pages and the console show each header's
name with :data:`MASK` as its value, so the JSON shape (a name -> value map) stays. The configuration export
uses the same mask (or a reference) through this module, so every surface agrees on what "masked" looks like.

On update a submitted map is merged with the stored one by :func:`merge_headers`: a header whose value is the
mask keeps its stored value, a header left out is removed, any other value replaces the stored one."""

from __future__ import annotations

from collections.abc import Mapping

# Eight asterisks: not a plausible header value, no character a header value may not carry, and the same
# width whatever the secret's length (the length itself says something about a token).
MASK = "********"


class MaskWithoutValue(ValueError):
    """The mask was sent for a header that has no stored value to keep."""

    def __init__(self, name: str) -> None:
        super().__init__(f"'{name[:60]}' has the mask {MASK} as its value but no stored value: type the value")
        self.name = name


def is_mask(value: object) -> bool:
    return value == MASK


def mask_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Each header's name with the mask as its value."""
    return {name: MASK for name in headers or {}}


def _stored_value(name: str, stored: Mapping[str, str]) -> str | None:
    """The stored value of ``name``; header names are case-insensitive, an exact match wins."""
    if name in stored:
        return stored[name]
    folded = name.lower()
    return next((v for k, v in stored.items() if k.lower() == folded), None)


def merge_headers(submitted: Mapping[str, str], stored: Mapping[str, str] | None) -> dict[str, str]:
    """The headers to store: masked values keep the stored one; ``MaskWithoutValue`` if there is none."""
    out: dict[str, str] = {}
    for name, value in submitted.items():
        if is_mask(value):
            kept = _stored_value(name, stored or {})
            if kept is None:
                raise MaskWithoutValue(name)
            value = kept
        out[name] = value
    return out
