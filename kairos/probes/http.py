"""HTTP(S) probe: request the target through ``kairos.net`` (GET, HEAD, or another method with a body) and judge
the final status code, then the assertions on the response (kairos.probes.assertions)."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from kairos import net
from kairos.net.policy import MAX_REDIRECTS, validate_http_url
from kairos.probes import assertions as checks
from kairos.probes import certs
from kairos.probes.base import Kind, ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.spec import KindSpec, OptionField
from kairos.secrets_mask import MASK

_CODE = re.compile(r"^[1-5][0-9]{2}$")
_CLASS = re.compile(r"^[1-5]xx$", re.IGNORECASE)
_RANGE = re.compile(r"^([1-5][0-9]{2})-([1-5][0-9]{2})$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 field-name characters
# Set by the client itself, per request; letting users set them would break framing.
_FORBIDDEN_HEADERS = {"host", "connection", "content-length", "transfer-encoding", "te", "upgrade"}
_MAX_HEADERS = 50
_MAX_HEADER_VALUE = 8192
# RFC 9110 field-value: visible ASCII, space and tab. Non-ASCII (ü) and other controls (\v) cannot be sent.
_FIELD_VALUE = re.compile(r"^[\x21-\x7e \t]*$")
# RFC 9110 media type with optional parameters: type "/" subtype *( ";" parameter ).
_MEDIA_TYPE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*;[\x20-\x7e]*)?$")
MAX_REQUEST_BODY = 65_536  # bytes of a request body (UTF-8): a probe is a small request, not an upload
_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE", "OPTIONS")
Method = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _check_header_name(name: str) -> str:
    if not _TOKEN.match(name) or len(name) > 256:
        raise ValueError(f"'{name[:40]}' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)")
    if name.lower() in _FORBIDDEN_HEADERS:
        raise ValueError(f"header '{name}' is set by Kairos and cannot be overridden")
    return name


def _check_header_value(value: str) -> str:
    # The value is not repeated in the message: it is often a token.
    if len(value) > _MAX_HEADER_VALUE:
        raise ValueError(f"a header value may have at most {_MAX_HEADER_VALUE} characters")
    if not _FIELD_VALUE.match(value):
        raise ValueError("a header value may only hold visible ASCII characters, spaces and tabs")
    return value


HeaderName = Annotated[str, AfterValidator(_check_header_name)]
HeaderValue = Annotated[str, AfterValidator(_check_header_value)]


class HttpConfig(certs.CertOptions):
    """Options of an HTTP resource; field names are camelCase because the REST API shows them as they are."""

    acceptedStatusCodes: list[str] | None = Field(
        default=None,
        max_length=50,
        description='Status codes that mean "available": "200", "2xx" or "200-299". Default: any 2xx.',
    )
    headers: dict[HeaderName, HeaderValue] = Field(
        default_factory=dict,
        description="Extra request headers: RFC 9110 names; values of visible ASCII, spaces and tabs.",
    )
    method: Method = "GET"
    body: str | None = Field(
        default=None,
        max_length=MAX_REQUEST_BODY,
        description=f"Request body as text (POST, PUT, PATCH, DELETE, OPTIONS), at most {MAX_REQUEST_BODY} bytes.",
    )
    bodyJson: Any = Field(
        default=None,
        description="Request body as a JSON value, sent compact with Content-Type application/json (instead of "
        "`body`).",
    )
    contentType: str | None = Field(
        default=None,
        max_length=256,
        description="Content-Type of the body; default application/json for `bodyJson`, text/plain; "
        "charset=utf-8 for `body`.",
    )
    assertions: list[checks.Assertion] = Field(
        default_factory=list,
        max_length=checks.MAX_ASSERTIONS,
        description="Checks on the response, all evaluated: json (JSONPath with ==, !=, <, <=, >, >=, contains, "
        "matches, exists), body (an RE2 regular expression), header (equals, contains), latency (maxMs). "
        "Codes: assert_json, assert_body, assert_header, assert_latency.",
    )
    followRedirects: bool = True
    forwardHeadersOnRedirect: bool = Field(
        default=False,
        description="Send `headers` also after a redirect to another origin (scheme, host or port). Off by "
        "default: header values are often tokens, and a redirect must not hand them to another server.",
    )
    maxRedirects: int = Field(default=10, ge=0, le=MAX_REDIRECTS)
    bodyContains: str | None = Field(
        default=None, min_length=1, max_length=1024, description="Text the response body must contain."
    )

    @field_validator("acceptedStatusCodes")
    @classmethod
    def _check_codes(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("give at least one status code, or leave it out to accept any 2xx")
        cleaned = [item.strip() for item in value]
        for item in cleaned:
            _parse_code_rule(item)  # raises ValueError with the reason
        return cleaned

    @field_validator("headers")
    @classmethod
    def _check_headers(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > _MAX_HEADERS:
            raise ValueError(f"at most {_MAX_HEADERS} headers")
        return value

    @model_validator(mode="after")
    def _check_body_needs_get(self) -> HttpConfig:
        if self.bodyContains is not None and self.method == "HEAD":
            raise ValueError("bodyContains needs method GET: a HEAD response has no body")
        if self.method == "HEAD" and any(a.type in ("json", "body") for a in self.assertions):
            raise ValueError("json and body assertions need a method other than HEAD: a HEAD response has no body")
        return self

    @model_validator(mode="after")
    def _check_request_body(self) -> HttpConfig:
        has_body = self.body is not None or self.bodyJson is not None
        if self.body is not None and self.bodyJson is not None:
            raise ValueError("give body or bodyJson, not both")
        if has_body and self.method not in _BODY_METHODS:
            raise ValueError(f"a {self.method} request carries no body: use POST, PUT, PATCH, DELETE or OPTIONS")
        if len(self.request_body()) > MAX_REQUEST_BODY:
            raise ValueError(f"the request body may have at most {MAX_REQUEST_BODY} bytes")
        if self.contentType is not None:
            if not has_body:
                raise ValueError("contentType describes a body: give body or bodyJson")
            if not _MEDIA_TYPE.match(self.contentType.strip()):
                raise ValueError("contentType must be a media type, e.g. application/json or text/plain; charset=utf-8")
            if any(name.lower() == "content-type" for name in self.headers):
                raise ValueError("set the body's type with contentType or a Content-Type header, not both")
        return self

    def request_body(self) -> bytes:
        if self.bodyJson is not None:
            try:
                return json.dumps(self.bodyJson, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
            except (TypeError, ValueError, RecursionError):  # a YAML date, NaN: not JSON (a 422, not a 500)
                raise ValueError("bodyJson must be a JSON value") from None
        return self.body.encode() if self.body is not None else b""

    def request_headers(self) -> dict[str, str]:
        """The configured headers plus the body's Content-Type (unless a header already sets one)."""
        if self.body is None and self.bodyJson is None:
            return self.headers
        if any(name.lower() == "content-type" for name in self.headers):
            return self.headers
        default = "application/json" if self.bodyJson is not None else "text/plain; charset=utf-8"
        return {**self.headers, "Content-Type": (self.contentType or default).strip()}

    def accepts(self, status: int) -> bool:
        if self.acceptedStatusCodes is None:
            return 200 <= status <= 299
        return any(lo <= status <= hi for lo, hi in map(_parse_code_rule, self.acceptedStatusCodes))


def _parse_code_rule(item: str) -> tuple[int, int]:
    """ "200" → (200, 200), "2xx" → (200, 299), "200-204" → (200, 204)."""
    if _CODE.match(item):
        return int(item), int(item)
    if _CLASS.match(item):
        base = int(item[0]) * 100
        return base, base + 99
    match = _RANGE.match(item)
    if match:
        lo, hi = int(match.group(1)), int(match.group(2))
        if lo > hi:
            raise ValueError(f"status range '{item}' runs backwards")
        return lo, hi
    raise ValueError(f"'{item[:20]}' is not a status code (use 200, 2xx or 200-299, codes 100-599)")


def _status_text(status: int, reason: str) -> str:
    if not reason:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    reason = "".join(ch for ch in reason if ch.isprintable())[:60]
    return f"HTTP {status} {reason}".rstrip()


async def probe(config: HttpConfig, ctx: ProbeContext) -> ProbeResult:
    try:
        url = validate_http_url(ctx.target)
    except ValueError as exc:
        # A stored target that no longer validates is a configuration problem, not the service being down.
        return ProbeResult(Status.UNKNOWN, f"invalid URL: {exc}", "invalid_target")
    auth = (ctx.credential.username, ctx.credential.password) if ctx.credential else None
    try:
        result = await net.fetch(
            url,
            method=config.method,
            headers=config.request_headers(),
            body=config.request_body(),
            timeout_s=ctx.timeout_s,
            verify_tls=not ctx.skip_tls,
            max_redirects=config.maxRedirects,
            follow_redirects=config.followRedirects,
            max_body_bytes=ctx.max_body_bytes,
            user_agent=ctx.user_agent,
            auth=auth,
            policy=ctx.policy or net.OPEN,
            headers_cross_origin=config.forwardHeadersOnRedirect,
        )
    except net.NetError as exc:  # the probe's own contract (callers of probe() get a ProbeFailure)
        raise ProbeFailure(exc.code, exc.message, phases=exc.phases) from None
    return certs.checked(config, result.peer_cert, lambda: _judge(config, result), skip_tls=ctx.skip_tls)


def _judge(config: HttpConfig, result: net.FetchResult) -> ProbeResult:
    details: dict[str, object] = {"final_url": result.url, "redirects": len(result.redirects)}
    if result.truncated:
        details["truncated"] = True
    status_text = _status_text(result.status, result.reason)
    if not config.accepts(result.status):
        raise ProbeFailure("http_status", status_text, http_status=result.status, phases=result.phases, details=details)
    if config.bodyContains is not None and config.bodyContains not in result.text():
        where = f"the first {len(result.body)} bytes of the body" if result.truncated else "the body"
        message = f"{status_text}, but '{config.bodyContains[:60]}' is not in {where}"
        raise ProbeFailure("body_mismatch", message, http_status=result.status, phases=result.phases, details=details)
    total = result.phases.total_ms or 0.0
    if config.assertions:
        _assert(config, result, status_text, details)
    return ProbeResult(
        Status.AVAILABLE, f"{status_text} in {total:.0f} ms", None, result.phases, result.status, details
    )


def _assert(config: HttpConfig, result: net.FetchResult, status_text: str, details: dict[str, object]) -> None:
    """Every assertion is evaluated; the first failure gives the code and message, all of them the details."""
    seen = checks.Response(result.body, result.text(), result.truncated, result.headers, result.phases.total_ms or 0.0)
    failures = checks.evaluate(config.assertions, seen)
    if not failures:
        return
    details["assertions"] = [f.as_detail() for f in failures]
    first = failures[0]
    more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    message = f"{status_text}, but {first.message()}{more}"
    raise ProbeFailure(first.code, message, http_status=result.status, phases=result.phases, details=details)


_METHOD_CHOICES = tuple((m, m) for m in ("GET", "HEAD", *_BODY_METHODS))

FORM_FIELDS = (
    OptionField("method", "Method", "select", _METHOD_CHOICES),
    OptionField("body", "Request body", "textarea"),
    OptionField("bodyJson", "Request body (JSON)", "json"),
    OptionField("contentType", "Body content type", "text"),
    OptionField("acceptedStatusCodes", "Expected status codes", "codes", note="Separate with commas."),
    OptionField("bodyContains", "Body must contain", "text"),
    OptionField(
        "assertions",
        "Assertions (JSON list)",
        "json",
        note='E.g. [{"type": "json", "path": "$.status", "op": "==", "value": "ok"}, '
        '{"type": "latency", "maxMs": 500}]. See docs/http-checks.md.',
    ),
    OptionField(
        "headers",
        "Request headers",
        "lines",
        note=f"One 'Name: value' per line. Stored values show as {MASK}: leave it to keep the value.",
    ),
    OptionField("followRedirects", "Follow redirects", "checkbox"),
    OptionField("maxRedirects", "Maximum redirects", "number"),
    OptionField(
        "forwardHeadersOnRedirect",
        "Send the headers after a redirect to another origin",
        "checkbox",
        note="Off: a redirect to another scheme, host or port gets none of them (they often hold tokens).",
    ),
    *certs.FORM_FIELDS,
)

SPEC = KindSpec(
    name=Kind.HTTP,  # the enum member: its `.value` is the name, as before kinds were registered
    label="HTTP(S)",
    page_name="HTTP",
    target_hint="An http:// or https:// URL, e.g. https://example.com/health",
    config_model=HttpConfig,
    probe_fn=probe,
    validate_target=validate_http_url,
    default_interval_s=60,
    default_parallelism=5,
    default_timeout_s=10.0,
    form_fields=FORM_FIELDS,
    timed_phases=("dns_ms", "connect_ms", "tls_ms", "ttfb_ms"),
    public_detail_keys=frozenset({"redirects"}),
    aliases=("http", "https"),
)
