"""Assertions on real responses from a loopback server: each kind passing and failing with its own code and a
message naming the assertion and what it saw; all are evaluated, the first failure decides; a pattern built to
backtrack runs over a big body in linear time (RE2)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from kairos.probes.assertions import SAW_MAX
from kairos.probes.base import ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.http import HttpConfig, probe
from tests.http_checks.target import BIG_SIZE, Target


async def check(url: str, *assertions: dict[str, object], **options: object) -> ProbeResult:
    config = HttpConfig.model_validate({"assertions": list(assertions), **options})
    try:
        return await probe(config, ProbeContext(target=url, timeout_s=5.0))
    except ProbeFailure as failure:
        return failure.to_result()


def j(path: str, op: str, value: object = None) -> dict[str, object]:
    return {"type": "json", "path": path, "op": op, "value": value}


PASSING = [
    j("$.status", "==", "ok"),
    j("$.count", "==", 3.0),  # one JSON number type
    j("$.status", "!=", "down"),
    j("$.count", "<", 4),
    j("$.count", "<=", 3),
    j("$.ratio", ">", 0.25),
    j("$.count", ">=", 3),
    j("$.version", "contains", ".2."),
    j("$.items[*].name", "contains", "beta"),  # several matches: the list of them
    j("$.version", "matches", r"^\d+\.\d+\.\d+$"),
    j("$.items[0].up", "exists"),
    j("$.missing", "exists", False),
    j("$.items[?(@.up == false)].name", "==", "beta"),  # jsonpath-ng's filters
    j("$.healthy", "==", True),
    {"type": "header", "name": "x-version", "value": "1.2.3"},
    {"type": "header", "name": "Content-Type", "op": "contains", "value": "json"},
    {"type": "body", "pattern": r'"status":\s*"ok"'},
    {"type": "latency", "maxMs": 5000},
]


@pytest.mark.parametrize("assertion", PASSING, ids=[str(a) for a in PASSING])
async def test_each_assertion_holds_on_a_matching_response(target: Target, assertion: dict[str, object]) -> None:
    result = await check(target.url + "/json", assertion)
    assert result.status is Status.AVAILABLE, result.message


@pytest.mark.parametrize(
    ("assertion", "code", "message"),
    [
        (j("$.status", "==", "up"), "assert_json", 'assertion 1 ($.status == "up") failed: \'"ok"\''),
        (j("$.count", ">", 10), "assert_json", "assertion 1 ($.count > 10) failed: '3'"),
        (j("$.healthy", "==", 1), "assert_json", "assertion 1 ($.healthy == 1) failed: 'true'"),
        (j("$.status", "<", 1), "assert_json", "failed: '\"ok\"'"),  # not a number: the order fails
        (j("$.nothing", "==", 1), "assert_json", "assertion 1 ($.nothing == 1) failed: no match"),
        (j("$.count", "exists", False), "assert_json", "($.count exists false) failed: found '3'"),
        (j("$.version", "matches", "^2"), "assert_json", '($.version matches "^2") failed: \'"1.2.3"\''),
        (j("$.items[*].name", "contains", "gamma"), "assert_json", '\'["alpha","beta"]\''),
        (
            {"type": "header", "name": "X-Version", "value": "2.0"},
            "assert_header",
            "assertion 1 (header X-Version equals \"2.0\") failed: X-Version: '1.2.3'",
        ),
        ({"type": "header", "name": "X-Absent", "value": "1"}, "assert_header", "failed: no X-Absent header"),
        (
            {"type": "body", "pattern": "maintenance"},
            "assert_body",
            'assertion 1 (body matches /maintenance/) failed: no match in the body: \'{"status": "ok"',
        ),
    ],
)
async def test_each_failed_assertion_has_its_code_and_says_what_it_saw(
    target: Target, assertion: dict[str, object], code: str, message: str
) -> None:
    result = await check(target.url + "/json", assertion)
    assert (result.status, result.error_code, result.http_status) == (Status.NOT_AVAILABLE, code, 200)
    assert message in result.message and result.message.startswith("HTTP 200 OK, but assertion 1 (")


async def test_a_slow_answer_fails_the_latency_assertion(target: Target) -> None:
    result = await check(target.url + "/slow", {"type": "latency", "maxMs": 100})
    assert result.error_code == "assert_latency"
    assert "assertion 1 (response time < 100 ms) failed: took " in result.message


async def test_every_assertion_is_evaluated_and_the_first_failure_decides(target: Target) -> None:
    result = await check(
        target.url + "/json",
        j("$.status", "==", "ok"),
        {"type": "header", "name": "X-Version", "value": "9"},
        j("$.count", "==", 4),
        {"type": "latency", "maxMs": 60_000},
    )
    assert result.error_code == "assert_header" and result.message.endswith("(and 1 more)")
    failed = result.details["assertions"]
    assert [(f["index"], f["code"]) for f in failed] == [(2, "assert_header"), (3, "assert_json")]
    assert failed[1] == {"index": 3, "code": "assert_json", "expression": "$.count == 4", "saw": "'3'"}


async def test_a_body_that_is_not_json_fails_json_assertions_with_an_excerpt(target: Target) -> None:
    result = await check(target.url + "/text", j("$.status", "==", "ok"))
    assert result.error_code == "assert_json"
    assert "the body is not JSON" in result.message and "'not json at all'" in result.message


async def test_what_was_seen_is_truncated(target: Target) -> None:
    result = await check(target.url + "/big", {"type": "body", "pattern": "b"})
    saw = result.details["assertions"][0]["saw"]
    assert result.error_code == "assert_body" and saw.endswith("…'") and len(saw) <= SAW_MAX + 60
    assert len(result.message) < 400


async def test_a_backtracking_pattern_on_a_big_body_stays_linear(target: Target) -> None:
    # With Python's re, (a+)+$ against 900 kB of "a" with no match at the end backtracks for ages; RE2 answers
    # at once. The check finishes inside its own timeout (5 s) with the assertion's verdict, not a timeout.
    result = await check(
        target.url + "/big", {"type": "body", "pattern": "(a+)+b$"}, {"type": "body", "pattern": "(a|aa)*c"}
    )
    assert [f["code"] for f in result.details["assertions"]] == ["assert_body", "assert_body"]
    assert f"no match in the first {256 * 1024} characters" in result.message and BIG_SIZE > 256 * 1024


async def test_json_assertions_on_a_truncated_body_say_so(target: Target) -> None:
    config = HttpConfig.model_validate({"assertions": [j("$.a", "exists")]})
    try:
        await probe(config, ProbeContext(target=target.url + "/big", timeout_s=5.0, max_body_bytes=1000))
        raise AssertionError("expected a failure")
    except ProbeFailure as failure:
        assert failure.code == "assert_json" and "longer than 1000 bytes (the cap): not parsed" in failure.message


@pytest.mark.parametrize(
    ("assertion", "message"),
    [
        (j("$[", "=="), "is not a JSONPath"),
        (j("$.a", "<", "ten"), "< compares numbers"),
        (j("$.a", "matches", 3), "matches needs value to be a regular expression"),
        (j("$.a", "matches", "(x)\\1"), "RE2 syntax: no backreferences"),
        (j("$.a", "exists", "yes"), "exists takes value true, false"),
        (j("$.a", "==", "x" * 2000), "at most 1024 characters"),
        (j("$.a", "==", date(2026, 1, 1)), "value must be a JSON value"),  # a YAML document's date
        ({"type": "body", "pattern": "(?=look)"}, "not a usable regular expression"),
        ({"type": "body", "pattern": "a{1000}{1000}"}, "not a usable regular expression"),
        ({"type": "header", "name": "bad name", "value": "x"}, "String should match pattern"),
        ({"type": "latency", "maxMs": 0}, "greater than or equal to 1"),
        ({"type": "xpath", "path": "/a"}, "does not match any of the expected tags"),
    ],
)
def test_bad_assertions_are_refused_when_saved(assertion: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        HttpConfig.model_validate({"assertions": [assertion]})


def test_body_assertions_need_a_method_with_a_response_body() -> None:
    with pytest.raises(ValidationError, match="need a method other than HEAD"):
        HttpConfig.model_validate({"method": "HEAD", "assertions": [{"type": "body", "pattern": "x"}]})
    HttpConfig.model_validate({"method": "HEAD", "assertions": [{"type": "latency", "maxMs": 10}]})


def test_at_most_twenty_assertions() -> None:
    with pytest.raises(ValidationError, match="at most 20 items"):
        HttpConfig.model_validate({"assertions": [{"type": "latency", "maxMs": 10}] * 21})
