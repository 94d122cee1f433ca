"""Base models and field types shared by every schema."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.alias_generators import to_camel

# Ids fit a 32-bit signed integer on every database; larger numbers are refused before reaching SQL.
MAX_ID = 2**31 - 1


def _printable(value: str) -> str:
    """Refuse control characters (NUL breaks PostgreSQL text, newlines break logs and headers)."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200),
    AfterValidator(_not_blank),
    AfterValidator(_printable),
    Field(description="1 to 200 characters, not blank."),
]
Pattern = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2048),
    AfterValidator(_not_blank),
    AfterValidator(_printable),
]
Username = Annotated[str, StringConstraints(max_length=512), AfterValidator(_not_blank), AfterValidator(_printable)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_printable)]
Target = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2048),
    AfterValidator(_not_blank),
    AfterValidator(_printable),
]


def _in_utc(value: datetime) -> datetime:
    """Stored and compared in UTC. ``0001-01-01T00:00:00+14:00`` is before year 1 in UTC: refused here (422 with
    the field), where it used to overflow later into a 500."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
DisplayOrder = Annotated[int, Field(ge=-1_000_000, le=1_000_000, description="Lower comes first.")]


class ApiModel(BaseModel):
    """A response body: snake_case in Python, camelCase in JSON."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class InputModel(BaseModel):
    """A request body: camelCase (snake_case also accepted), unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        allow_inf_nan=False,
        serialize_by_alias=True,
    )


class PartialModel(InputModel):
    """A partial update: a missing field keeps its value; ``null`` is refused except where listed."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: Any) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("must not be null")
        return value
