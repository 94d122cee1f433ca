"""Assertions on an HTTP response: JSON path comparisons, a regular expression on the body, a header, the
response time. Each is a small pydantic model (the API and config files show them as they are), checked and
compiled once when the options are validated, and evaluated on every check by :func:`evaluate`.

- JSON paths are jsonpath-ng's (``jsonpath_ng.ext``: filters and arithmetic); a path is compiled at validation,
  never per check (PLY parsing costs about a millisecond).
- Regular expressions (``matches`` and the body assertion) are RE2's (google-re2): matching runs in time linear
  in the input, so no pattern can make a check spin (ReDoS); Python's ``re`` has no timeout. RE2 has no
  backreferences or look-around; such a pattern is refused when the options are saved. The input is bounded
  as well: the body is read up to the probe's cap (1 MiB) and a body assertion looks at its first
  ``REGEX_MAX_BYTES`` at most.

Every failure says which assertion (its index and expression) and what it saw, truncated to ``SAW_MAX``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information
from jsonpath_ng import JSONPath
from jsonpath_ng.ext.parser import parse as parse_jsonpath
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

MAX_ASSERTIONS = 20
MAX_EXPRESSION = 512  # a path or a pattern
MAX_VALUE = 1024  # an expected value (as JSON text)
REGEX_MAX_BYTES = 256 * 1024  # a body assertion reads at most this much of the body
SAW_MAX = 120  # what a failure message quotes of what was seen
_RE2_MAX_MEM = 8 << 20  # a compiled pattern's memory; RE2 refuses bigger programs ("pattern too large")

JsonOp = Literal["==", "!=", "<", "<=", ">", ">=", "contains", "matches", "exists"]
_ORDER_OPS = frozenset({"<", "<=", ">", ">="})


@lru_cache(maxsize=4096)
def _compiled_path(path: str) -> JSONPath:
    """jsonpath-ng's PLY parser costs about a millisecond a path: resources sharing a path (a fleet of services
    with the same health endpoint) parse it once. A JSONPath is not changed by ``find``, so sharing is safe."""
    return parse_jsonpath(path)


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False  # the error is the ValueError below, not a line on stderr
    options.max_mem = _RE2_MAX_MEM
    return options


@lru_cache(maxsize=4096)
def compile_regex(pattern: str) -> Any:
    """An RE2 program for ``pattern``; ValueError with RE2's reason when it cannot be one."""
    try:
        return re2.compile(pattern, _re2_options())
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(
            f"not a usable regular expression (RE2 syntax: no backreferences or look-around): {reason}"
        ) from None


class _Assertion(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JsonAssertion(_Assertion):
    """``path`` (JSONPath) in the JSON body compared with ``value``. With one match its value is compared; with
    several, the list of them (so ``contains`` asks whether one of them equals ``value``)."""

    type: Literal["json"]
    path: str = Field(min_length=1, max_length=MAX_EXPRESSION, description="A JSONPath, e.g. $.status")
    op: JsonOp = Field("==", description="==, !=, <, <=, >, >=, contains, matches or exists.")
    value: Any = Field(
        None,
        description="What to compare with (any JSON value); a pattern for matches; "
        "true or false for exists (default true).",
    )
    _path: JSONPath = PrivateAttr()
    _regex: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _compile(self) -> JsonAssertion:
        try:
            self._path = _compiled_path(self.path)
        except Exception as exc:  # JsonPathLexerError, JsonPathParserError, and a bare Exception for some inputs
            raise ValueError(f"path '{self.path[:60]}' is not a JSONPath: {str(exc)[:120]}") from None
        if len(_json_text(self.value, "value")) > MAX_VALUE:
            raise ValueError(f"value may be at most {MAX_VALUE} characters as JSON")
        if self.op in _ORDER_OPS and not _is_number(self.value):
            raise ValueError(f"{self.op} compares numbers: value must be a number")
        if self.op == "matches":
            if not isinstance(self.value, str):
                raise ValueError("matches needs value to be a regular expression (a string)")
            self._regex = compile_regex(self.value)
        if self.op == "exists" and self.value is not None and not isinstance(self.value, bool):
            raise ValueError("exists takes value true, false or nothing (true)")
        return self

    def expression(self) -> str:
        shown = "" if self.op == "exists" and self.value in (None, True) else f" {json.dumps(self.value)}"
        return f"{self.path} {self.op}{shown}"


class BodyAssertion(_Assertion):
    """The body (its first ``REGEX_MAX_BYTES``, decoded) matches ``pattern`` somewhere (RE2 syntax)."""

    type: Literal["body"]
    pattern: str = Field(min_length=1, max_length=MAX_EXPRESSION, description="A regular expression (RE2).")
    _regex: Any = PrivateAttr()

    @model_validator(mode="after")
    def _compile(self) -> BodyAssertion:
        self._regex = compile_regex(self.pattern)
        return self

    def expression(self) -> str:
        return f"body matches /{self.pattern}/"


class HeaderAssertion(_Assertion):
    """Response header ``name`` equals (or contains) ``value``; header names are case-insensitive."""

    type: Literal["header"]
    name: str = Field(min_length=1, max_length=256, pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
    op: Literal["equals", "contains"] = "equals"
    value: str = Field(max_length=MAX_VALUE)

    def expression(self) -> str:
        return f"header {self.name} {self.op} {json.dumps(self.value)}"


class LatencyAssertion(_Assertion):
    """The whole check (every redirect included) took less than ``maxMs`` milliseconds."""

    type: Literal["latency"]
    maxMs: int = Field(ge=1, le=300_000)

    def expression(self) -> str:
        return f"response time < {self.maxMs} ms"


Assertion = Annotated[JsonAssertion | BodyAssertion | HeaderAssertion | LatencyAssertion, Field(discriminator="type")]
CODES = {"json": "assert_json", "body": "assert_body", "header": "assert_header", "latency": "assert_latency"}


@dataclass(frozen=True, slots=True)
class Response:
    """What the assertions read of a response."""

    body: bytes
    text: str
    truncated: bool
    headers: Sequence[tuple[str, str]]  # names lower case
    total_ms: float


@dataclass(frozen=True, slots=True)
class Failure:
    index: int  # 1-based, as a person counts them
    code: str
    expression: str
    saw: str

    def message(self) -> str:
        return f"assertion {self.index} ({_cut(self.expression)}) failed: {self.saw}"

    def as_detail(self) -> dict[str, object]:
        return {"index": self.index, "code": self.code, "expression": _cut(self.expression), "saw": self.saw}


def evaluate(assertions: Sequence[Assertion], response: Response) -> list[Failure]:
    """Every assertion's failure, in order (all are evaluated; the caller reports the first one's code)."""
    failures: list[Failure] = []
    document = _Lazy(response)
    for index, assertion in enumerate(assertions, start=1):
        saw = _check(assertion, response, document)
        if saw is not None:
            failures.append(Failure(index, CODES[assertion.type], assertion.expression(), saw))
    return failures


class _Lazy:
    """The body parsed as JSON once, on the first JSON assertion that needs it."""

    def __init__(self, response: Response) -> None:
        self._response = response
        self._parsed = False
        self.value: Any = None
        self.error: str | None = None

    def get(self) -> tuple[Any, str | None]:
        if not self._parsed:
            self._parsed = True
            if self._response.truncated:
                self.error = f"the body is longer than {len(self._response.body)} bytes (the cap): not parsed"
            else:
                try:
                    self.value = json.loads(self._response.text)
                except ValueError as exc:
                    self.error = f"the body is not JSON ({str(exc)[:60]}): {_quote(self._response.text)}"
        return self.value, self.error


def _check(assertion: Assertion, response: Response, document: _Lazy) -> str | None:
    """None when it holds, else what was seen."""
    if isinstance(assertion, LatencyAssertion):
        return None if response.total_ms < assertion.maxMs else f"took {response.total_ms:.0f} ms"
    if isinstance(assertion, HeaderAssertion):
        return _check_header(assertion, response)
    if isinstance(assertion, BodyAssertion):
        text = response.text[:REGEX_MAX_BYTES]
        if assertion._regex.search(text) is not None:
            return None
        where = "the body" if len(text) == len(response.text) else f"the first {REGEX_MAX_BYTES} characters"
        return f"no match in {where}: {_quote(text)}"
    value, error = document.get()
    return error if error is not None else _check_json(assertion, value)


def _check_header(assertion: HeaderAssertion, response: Response) -> str | None:
    wanted = assertion.name.lower()
    values = [v for n, v in response.headers if n == wanted]
    if not values:
        return f"no {assertion.name} header"
    ok = any(v == assertion.value if assertion.op == "equals" else assertion.value in v for v in values)
    return None if ok else f"{assertion.name}: {_quote(', '.join(values))}"


def _check_json(assertion: JsonAssertion, document: Any) -> str | None:
    matches = [m.value for m in assertion._path.find(document)]
    if assertion.op == "exists":
        want = assertion.value is not False
        if bool(matches) == want:
            return None
        return "no match" if want else f"found {_quote(_json(matches[0] if len(matches) == 1 else matches))}"
    if not matches:
        return "no match"
    actual = matches[0] if len(matches) == 1 else matches
    return None if _compare(assertion, actual) else _quote(_json(actual))


def _compare(assertion: JsonAssertion, actual: Any) -> bool:
    op, expected = assertion.op, assertion.value
    if op == "==":
        return _equal(actual, expected)
    if op == "!=":
        return not _equal(actual, expected)
    if op in _ORDER_OPS:
        if not _is_number(actual):
            return False
        ordered: dict[str, bool] = {
            "<": actual < expected, "<=": actual <= expected, ">": actual > expected, ">=": actual >= expected
        }  # fmt: skip
        return ordered[op]
    if op == "contains":
        if isinstance(actual, str):
            return isinstance(expected, str) and expected in actual
        if isinstance(actual, list):
            return any(_equal(item, expected) for item in actual)
        if isinstance(actual, dict):
            return isinstance(expected, str) and expected in actual
        return False
    # matches: a string as it is, a number or boolean as its JSON text
    subject = actual if isinstance(actual, str) else _json(actual)
    return bool(assertion._regex.search(subject[:REGEX_MAX_BYTES]) is not None)


def _equal(a: Any, b: Any) -> bool:
    # JSON has one number type: 1 == 1.0; but true is not 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_text(value: Any, name: str) -> str:
    """``value`` as JSON text; ValueError (a 422, not a 500) for what JSON cannot hold, such as a date that a YAML
    document parsed, or NaN."""
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise ValueError(f"{name} must be a JSON value (text, number, true/false, null, list or object)") from None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _quote(text: str) -> str:
    shown = "".join(ch if ch.isprintable() else " " for ch in text[: SAW_MAX + 1])
    return f"'{shown[:SAW_MAX]}…'" if len(shown) > SAW_MAX else f"'{shown}'"


def _cut(text: str) -> str:
    return text if len(text) <= SAW_MAX else text[:SAW_MAX] + "…"
