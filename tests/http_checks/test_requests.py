"""Methods with bodies against a real loopback server: the server sees the method, the body and its content
type; redirects follow RFC 9110 (303 and POST after 301/302 become GET without the body, 307/308 keep both);
bad combinations are refused when the options are validated."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError

from kairos.probes.base import ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.http import MAX_REQUEST_BODY, HttpConfig, probe
from tests.http_checks.target import Target


async def check(url: str, **options: object) -> ProbeResult:
    config = HttpConfig.model_validate(options)
    try:
        return await probe(config, ProbeContext(target=url, timeout_s=5.0))
    except ProbeFailure as failure:
        return failure.to_result()


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_each_method_sends_its_text_body_with_its_content_type(target: Target, method: str) -> None:
    result = await check(
        target.url + "/plain", method=method, body="ping=1", contentType="application/x-www-form-urlencoded"
    )
    assert result.status is Status.AVAILABLE
    seen = target.last()
    assert (seen.method, seen.body, seen.content_type) == (method, b"ping=1", "application/x-www-form-urlencoded")


async def test_a_json_body_is_sent_compact_as_application_json(target: Target) -> None:
    await check(target.url + "/plain", method="POST", bodyJson={"query": "{ health }", "n": [1, 2]})
    seen = target.last()
    assert seen.content_type == "application/json"
    assert json.loads(seen.body) == {"query": "{ health }", "n": [1, 2]} and b" " not in seen.body.replace(
        b"{ health }", b""
    )


async def test_a_text_body_defaults_to_plain_text_utf8(target: Target) -> None:
    await check(target.url + "/plain", method="PUT", body="grüß")
    seen = target.last()
    assert seen.content_type == "text/plain; charset=utf-8" and seen.body == "grüß".encode()


async def test_a_post_without_a_body_says_content_length_zero(target: Target) -> None:
    await check(target.url + "/plain", method="POST")
    assert (target.last().method, target.last().content_length) == ("POST", "0")


async def test_a_content_type_header_is_kept_when_no_content_type_option_is_given(target: Target) -> None:
    await check(target.url + "/plain", method="POST", body="<a/>", headers={"Content-Type": "application/xml"})
    assert target.last().content_type == "application/xml"


@pytest.mark.parametrize(
    ("status", "method_after"), [(303, "GET"), (302, "GET"), (301, "GET"), (307, "POST"), (308, "POST")]
)
async def test_redirects_after_a_post_follow_rfc_9110(target: Target, status: int, method_after: str) -> None:
    result = await check(f"{target.url}/redirect/{status}", method="POST", bodyJson={"a": 1})
    assert result.status is Status.AVAILABLE and result.details["redirects"] == 1
    final = target.last()
    assert final.path == "/echo" and final.method == method_after
    if method_after == "GET":
        assert (final.body, final.content_type) == (b"", None)  # the body and its type stay behind
    else:
        assert (final.body, final.content_type) == (b'{"a":1}', "application/json")


async def test_a_303_after_a_put_becomes_a_get(target: Target) -> None:
    await check(f"{target.url}/redirect/303", method="PUT", body="x")
    assert (target.last().method, target.last().body) == ("GET", b"")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "GET", "body": "x"}, "a GET request carries no body"),
        ({"method": "HEAD", "bodyJson": {}}, "a HEAD request carries no body"),
        ({"method": "POST", "body": "x", "bodyJson": 1}, "give body or bodyJson, not both"),
        ({"method": "POST", "contentType": "text/plain"}, "contentType describes a body"),
        ({"method": "POST", "body": "x", "contentType": "text plain"}, "must be a media type"),
        ({"method": "POST", "body": "x", "contentType": "text/plain", "headers": {"content-type": "a/b"}}, "not both"),
        ({"method": "POST", "body": "x" * (MAX_REQUEST_BODY + 1)}, "at most"),
        ({"method": "POST", "bodyJson": ["é" * 40_000]}, f"at most {MAX_REQUEST_BODY} bytes"),
        ({"method": "TRACE"}, "Input should be"),
        ({"method": "POST", "bodyJson": {"when": date(2026, 1, 1)}}, "bodyJson must be a JSON value"),
        ({"method": "POST", "bodyJson": float("nan")}, "bodyJson must be a JSON value"),
    ],
)
def test_bad_request_options_are_refused_with_the_reason(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        HttpConfig.model_validate(options)
