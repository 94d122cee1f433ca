"""Schemathesis over real HTTP against a running Kairos: generated requests for every operation of its OpenAPI
document, positive and negative, checked with schemathesis' ``not_a_server_error``. Synchronous (requests):
the caller runs it in a worker thread while the server keeps serving on the test's event loop."""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error

Route = tuple[str, str]

# Per operation and generation mode; KAIROS_FUZZ_EXAMPLES=200 for a longer hunt by hand.
EXAMPLES = int(os.environ.get("KAIROS_FUZZ_EXAMPLES", "15"))
REQUEST_TIMEOUT_S = 15.0  # an answer slower than this is reported as a hang


@dataclass
class Report:
    failures: dict[str, str] = field(default_factory=dict)  # "METHOD path" → first failing request
    statuses: Counter[int] = field(default_factory=Counter)
    calls: int = 0
    operations: int = 0
    seconds: float = 0.0


def _settings(examples: int) -> settings:
    # Deterministic and bounded: the same examples on every run, no shrinking (the first failure per operation
    # is reported as it was sent), no example database written into the work tree.
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def _exercise(case: Case[Any], http: requests.Session, url: str, report: Report, label: str) -> None:
    report.calls += 1
    try:
        response = case.call(base_url=url, session=http, timeout=REQUEST_TIMEOUT_S)
    except requests.Timeout:
        report.failures.setdefault(label, f"no answer in {REQUEST_TIMEOUT_S} s: {case.as_curl_command()}")
        return
    report.statuses[response.status_code] += 1
    try:
        case.validate_response(response, checks=[not_a_server_error])
    except Exception as exc:  # schemathesis raises its own failure group; the curl line says it all
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        report.failures.setdefault(label, f"{response.status_code} ({first}): {case.as_curl_command()}")


def _run(strategy: Any, each: Any, examples: int) -> None:
    @_settings(examples)
    @given(case=strategy)
    def run(case: Case[Any]) -> None:
        each(case)

    run()


@dataclass
class Plan:
    """What to run: ``key`` None leaves the credentials to the generator (the API's security schemes become
    generated headers: wrong, empty and malformed keys and Basic credentials)."""

    key: str | None
    skip: set[Route] = field(default_factory=set)
    only: set[Route] | None = None
    pins: dict[Route, dict[str, Any]] = field(default_factory=dict)  # fixed path parameters
    examples: int = EXAMPLES


def _schema(url: str, security: bool) -> Any:
    # (``generation.update(with_security_parameters=…)`` on a loaded config does not reach the operations.)
    config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": security}})
    return schemathesis.openapi.from_url(f"{url}/v3/api-docs", config=config, timeout=10)


def fuzz(url: str, plan: Plan) -> Report:
    start, report = time.monotonic(), Report()
    schema = _schema(url, security=plan.key is None)
    with requests.Session() as http:
        if plan.key is not None:
            http.headers["Authorization"] = f"Bearer {plan.key}"
        for result in schema.get_all_operations():
            op = result.ok()
            route = (op.method.upper(), op.path)
            if route in plan.skip or (plan.only is not None and route not in plan.only):
                continue
            report.operations += 1
            label = f"{route[0]} {route[1]}"
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                strategy = op.as_strategy(generation_mode=mode, path_parameters=plan.pins.get(route))
                try:
                    _run(strategy, lambda case, label=label: _exercise(case, http, url, report, label), plan.examples)
                except Unsatisfiable:
                    # Nothing to get wrong (no parameters, no body): there is no negative example to make.
                    assert mode is GenerationMode.NEGATIVE, label
    report.seconds = time.monotonic() - start
    return report


# Page routes are not in the OpenAPI document (include_in_schema=False): they get a generator of their own, with
# hostile path values, query values and Host headers, and the same rule: never a 5xx, never a hang.
HOSTILE_SEGMENTS = (
    "9223372036854775808",
    "9223372036854775807",
    "-9223372036854775809",
    "2147483648",
    "0",
    "-1",
    "+1",
    "1.0",
    "1e3",
    "0x10",
    "%00",
    "%FF",
    "%2e%2e",
    "..",
    "%C3%BC",
    "%0d%0aX-Injected:%201",
    "9" * 5000,
)
HOSTILE_HOSTS = ("127.0.0.1", "localhost", "evil.example", "[::1", "a" * 300, "localhost:99999", "1.2.3.4.5", "")
QUERY_NAMES = ("from", "to", "status", "before", "after", "label", "show", "page", "view", "group", "saved")


def _segments() -> Any:
    from hypothesis import strategies as st

    return st.one_of(
        st.sampled_from(HOSTILE_SEGMENTS),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(max_size=40).map(lambda s: quote(s, safe="")),
    )


def _query() -> Any:
    from hypothesis import strategies as st

    values = st.one_of(st.sampled_from(HOSTILE_SEGMENTS), st.text(max_size=60))
    return st.dictionaries(st.sampled_from(QUERY_NAMES), values, max_size=4)


class _NoJar(requests.cookies.RequestsCookieJar):
    """The cookie jar matches domains on the Host header, which is hostile here: cookies go in a fixed header."""

    def add_cookie_header(self, request: Any) -> None:
        pass

    def extract_cookies(self, response: Any, request: Any) -> None:
        pass


def fuzz_pages(url: str, templates: list[str], cookies: dict[str, str], examples: int = 300) -> Report:
    """GET every page template with generated path values, query and Host; every answer must be below 500."""
    from hypothesis import strategies as st

    start, report = time.monotonic(), Report()
    report.operations = len(templates)
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    with requests.Session() as http:
        http.cookies = _NoJar()
        if cookie:
            http.headers["Cookie"] = cookie

        def get(template: str, value: str, query: dict[str, str], host: str) -> None:
            path = re.sub(r"\{[^}]+\}", value, template)
            report.calls += 1
            label = f"GET {template}"
            try:
                response = http.get(
                    url + path, params=query, headers={"Host": host}, timeout=REQUEST_TIMEOUT_S, allow_redirects=False
                )
            except requests.Timeout:
                report.failures.setdefault(label, f"no answer in {REQUEST_TIMEOUT_S} s: {path} {query} Host {host}")
                return
            report.statuses[response.status_code] += 1
            if response.status_code >= 500:
                report.failures.setdefault(label, f"{response.status_code}: {path[:200]} {query} Host {host[:40]}")

        # Every hostile value on every template once, then the generator's mix of values, queries and hosts.
        for template in templates:
            for value in HOSTILE_SEGMENTS if "{" in template else ("",):
                get(template, value, {}, "127.0.0.1")

        @_settings(examples)
        @given(
            template=st.sampled_from(templates),
            value=_segments(),
            query=_query(),
            host=st.sampled_from(HOSTILE_HOSTS),
        )
        def run(template: str, value: str, query: dict[str, str], host: str) -> None:
            get(template, value, query, host)

        run()
    report.seconds = time.monotonic() - start
    return report
