"""The words of kairos.web.form_messages for refusals the console's forms rarely provoke (a select or checkbox
sends a fixed value): real pydantic errors of small models, each said as what to enter."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError

from kairos.web.form_messages import human_message, unit_of


class _Probe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    homepage: AnyHttpUrl | None = None
    mode: Literal["fast", "slow"] = "fast"
    ratio: Annotated[float, Field(gt=0, lt=1)] = 0.5
    retries: int = 0
    label: Annotated[str, Field(min_length=3)] = "abc"
    cutoffMs: Annotated[int, Field(ge=10)] = 100
    required: str


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"enabled": "perhaps"}, "enabled", "Choose yes or no."),
        ({"homepage": "not a url"}, "homepage", "Enter an address starting with http:// or https://."),
        ({"mode": "medium"}, "mode", "Choose one of: fast or slow."),
        ({"ratio": "1"}, "ratio", "Enter a number, more than 0 and less than 1."),
        ({"retries": "2.5"}, "retries", "Enter a whole number."),
        ({"label": "ab"}, "label", "Use at least 3 characters."),
        ({"cutoffMs": "5"}, "cutoffMs", "Enter whole milliseconds, at least 10."),
        ({}, "required", "This is required."),
        ({"surprise": 1}, "surprise", "Unknown field."),
    ],
)
def test_each_refusal_is_said_as_what_to_enter(body: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _Probe.model_validate({"required": "x", **body} if field != "required" else body)
    err = next(e for e in caught.value.errors() if e["loc"] == (field,))
    assert human_message(err, field, _Probe) == message


def test_the_unit_comes_from_the_field_name() -> None:
    assert [unit_of(n) for n in ("intervalSeconds", "timeoutMs", "duration_minutes", "certExpiryDays")] == [
        "seconds",
        "milliseconds",
        "minutes",
        "days",
    ]
    assert unit_of("maxRedirects") is None and unit_of("seconds") is None
    assert unit_of("options.graceSeconds") == "seconds"
