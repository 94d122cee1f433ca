"""The permission matrix: every route of the running app's OpenAPI document times six callers, against rules.py."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from kairos.access.mode import sign_in_required
from tests.harness import Running
from tests.permissions.rules import (
    ALLOWED,
    BODIES,
    CALLERS,
    KNOWN_GAPS,
    RULES,
    SCOPE_OF,
    Access,
    Route,
    expected,
    security_matches,
)
from tests.permissions.world import MISSING_ID, World, world

_METHODS = ("get", "put", "post", "delete", "patch")
_PARAM = re.compile(r"\{([^}]+)\}")


async def _operations(kairos: Running) -> dict[Route, dict[str, Any]]:
    spec = (await kairos.anon.get("/v3/api-docs")).json()
    return {(m.upper(), p): op for p, ops in spec["paths"].items() for m, op in ops.items() if m in _METHODS}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def matrix(shared_kairos: Running) -> AsyncIterator[World]:
    async with world(shared_kairos) as w:
        yield w


def _url(route: Route, ids: dict[str, Any]) -> str:
    method, path = route

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if method == "DELETE" and name != "kind":
            return str(MISSING_ID)  # keeps every fixture for the calls after this one
        assert name in ids, f"no fixture for path parameter {name!r} of {method} {path}: add one in world.py"
        return str(ids[name])

    return _PARAM.sub(value, path)


async def _call(client: httpx.AsyncClient, route: Route, url: str) -> tuple[int, Any]:
    """Status and JSON body (None if not JSON). A streaming answer (the SSE stream) is closed unread."""
    body = BODIES.get(route, {}) if route[0] in ("POST", "PUT", "PATCH") else None
    async with client.stream(route[0], url, json=body) as response:
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            return response.status_code, None
        raw = await response.aread()
    try:
        return response.status_code, json.loads(raw)
    except ValueError:
        return response.status_code, None


def _problem(want: int | str, status: int, body: Any) -> str | None:
    """What is wrong with the answer, or None when it is what the rule says."""
    if want == ALLOWED:
        return None if status not in (401, 403) and status < 500 else f"{status}"
    if status != want:
        return f"{status}"
    error = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(error, dict) and error.get("code") and error.get("message")):
        return f"{status} without the error shape: {body!r:.80}"
    return None


def _table(rows: list[tuple[str, str, str, str]]) -> str:
    lines = [f"{r:<58} {c:<18} {w:<10} {g}" for r, c, w, g in [("route", "caller", "expected", "got"), *rows]]
    return "\n".join(lines)


async def _run(world: World, caller: str, gap_caller: str, want_of: Any) -> list[tuple[str, str, str, str]]:
    """Call every ruled route of the running app as ``caller``; rows of the failure table."""
    client, failures = world.callers[caller], []
    for route in sorted(set(await _operations(world.kairos)) & set(RULES)):
        want = want_of(route)
        status, body = await _call(client, route, _url(route, world.ids))
        problem = _problem(want, status, body)
        name = f"{route[0]} {route[1]}"
        gap = KNOWN_GAPS.get((*route, gap_caller))
        if gap is not None and problem is None:
            failures.append((name, gap_caller, "a known gap", f"{status}: fixed? remove it from KNOWN_GAPS"))
        elif gap is not None and status >= 500:
            failures.append((name, gap_caller, "a known gap", f"{status}"))
        elif gap is None and problem is not None:
            failures.append((name, gap_caller, str(want), problem))
    return failures


async def test_every_route_in_the_openapi_document_has_a_rule_and_every_rule_a_route(shared_kairos: Running) -> None:
    routes = set(await _operations(shared_kairos))
    unruled = sorted(routes - set(RULES))
    stale = sorted(set(RULES) - routes)
    assert not unruled and not stale, (
        f"routes without a rule (add them to tests/permissions/rules.py): {unruled}\n"
        f"rules for routes that no longer exist (remove them): {stale}"
    )


async def test_the_openapi_security_of_every_route_tells_the_truth_about_its_rule(shared_kairos: Running) -> None:
    wrong = [
        f"{m} {p}: {RULES[m, p].name} but security={op.get('security')}"
        for (m, p), op in sorted((await _operations(shared_kairos)).items())
        if (m, p) in RULES
        and not security_matches(RULES[m, p], op.get("security"))
        and (m, p, "openapi") not in KNOWN_GAPS
    ]
    assert not wrong, "\n".join(wrong)


async def test_every_route_declares_in_openapi_the_scope_its_rule_needs(shared_kairos: Running) -> None:
    wrong = [
        f"{m} {p}: rule {RULES[m, p].name} needs {SCOPE_OF[RULES[m, p]]} but x-required-scope="
        f"{op.get('x-required-scope')}"
        for (m, p), op in sorted((await _operations(shared_kairos)).items())
        if (m, p) in RULES and op.get("x-required-scope") != SCOPE_OF[RULES[m, p]]
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("caller", CALLERS)
async def test_each_caller_gets_what_the_rules_say_on_every_route(matrix: World, caller: str) -> None:
    failures = await _run(matrix, caller, caller, lambda route: expected(RULES[route], caller))
    assert not failures, "\n" + _table(failures)


async def test_a_private_kairos_answers_anonymous_401_and_keys_without_status_read_403(private_kairos: Running) -> None:
    settings = private_kairos.runtime.settings

    def want(route: Route) -> int | str:
        if sign_in_required(settings, route[1]):
            return 401
        return expected(RULES[route], "anonymous")

    def want_check_key(route: Route) -> int | str:
        # A key made only to trigger checks must not read the board of a private Kairos: 403 where a key with
        # STATUS_READ reads (the PUBLIC routes), while its own scope still works.
        rule = RULES[route]
        if rule is Access.PUBLIC and sign_in_required(settings, route[1]) and route[0] == "GET":
            return 403
        return expected(rule, "check_key")

    async with world(private_kairos) as w:
        failures = await _run(w, "anonymous", "private:anonymous", want)
        failures += await _run(w, "check_key", "private:check_key", want_check_key)
    assert not failures, "\n" + _table(failures)
