"""Schemathesis over real HTTP against a running Kairos: generated requests for every operation of its OpenAPI
document, positive and negative, checked with schemathesis' ``not_a_server_error``. Synchronous (requests):
the caller runs it in a worker thread while the server keeps serving on the test's event loop."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

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


def _exercise(case: Case, http: requests.Session, url: str, report: Report, label: str) -> None:
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
    def run(case: Case) -> None:
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
