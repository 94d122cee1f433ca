"""Tags on resources: ``{key, value, colour}``, and the ``key:value`` form the ``?tag=`` filters use."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from kairos.api.schemas.common import ApiModel, InputModel

MAX_TAGS = 32
# A key is a word a Prometheus label can be made of (kairos.metrics maps "-" and "." to "_"); it has no ":",
# so ``key:value`` splits at the first colon.
KEY_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
COLOUR_RE = re.compile(r"^#[0-9a-f]{6}$")


def _key(value: str) -> str:
    if not KEY_RE.match(value):
        raise ValueError("must start with a letter and hold only letters, digits, '_', '-' or '.' (at most 64)")
    return value


def _value(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValueError("must not contain control or format characters")
    return value


def _colour(value: str) -> str:
    if not COLOUR_RE.match(value):
        raise ValueError("must be a colour like #1f77b4")
    return value


TagKey = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=64),
    AfterValidator(_key),
    Field(description="A letter, then letters, digits, `_`, `-` or `.`; at most 64; lower case."),
]
TagValue = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=128),
    AfterValidator(_value),
    Field(description="1 to 128 characters."),
]
Colour = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=7),
    AfterValidator(_colour),
    Field(description="`#rrggbb`; left out: the tag's colour, or one picked from its key for a new tag."),
]


class TagIn(InputModel):
    key: TagKey
    value: TagValue
    colour: Colour | None = None


class TagPublic(ApiModel):
    key: str
    value: str
    colour: str


TagList = Annotated[
    list[TagIn],
    Field(max_length=MAX_TAGS, description=f"Key/value tags, at most {MAX_TAGS}; a key at most once."),
]
