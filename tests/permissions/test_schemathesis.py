"""Schemathesis against the running app's OpenAPI: no generated input makes Kairos answer 5xx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from starlette.routing import BaseRoute, Route

from tests.dbs import DatabaseFactory
from tests.harness import Running
from tests.permissions.conftest import running
from tests.permissions.fuzz import Plan, Report, fuzz, fuzz_pages
from tests.permissions.world import MISSING_ID, NeverBlocked, closed_fixtures
from tests.web.pages import add_user, sign_in

# The live stream never ends: every generated request would wait for the client timeout.
STREAM = ("GET", "/api/resources/stream")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def quiet_kairos(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    """No scheduler and no discovery loop: generated resources and sources are stored but never probed, so nothing
    the generator invents is connected to. Generated wrong keys would make the throttle lock out the run's own
    key (same address), so it never blocks here; refusing repeat offenders is tested in test_access_mode.py."""
    async for kairos in running(databases, tmp_path_factory, scheduler_enabled=False):
        kairos.runtime.api_throttle = NeverBlocked()
        yield kairos


def _no_server_errors(report: Report, at_least: int) -> None:
    print(f"schemathesis: {report.operations} operations, {report.calls} requests in {report.seconds:.1f} s")
    print(f"  statuses: {sorted(report.statuses.items())}")
    assert report.operations >= at_least
    assert not report.failures, "\n" + "\n".join(f"{op}: {how}" for op, how in sorted(report.failures.items()))


async def test_no_generated_request_of_an_admin_makes_kairos_answer_a_server_error(quiet_kairos: Running) -> None:
    ids = await closed_fixtures(quiet_kairos)
    pins = {
        # The run's own key must survive: a generated key id could be its id.
        ("DELETE", "/api/api-keys/{key_id}"): {"key_id": MISSING_ID},
        # These connect to the object's target right away: keep them on a closed loopback port.
        ("POST", "/api/resources/{resource_id}/check"): {"resource_id": ids["resource_id"]},
        ("POST", "/api/discovery-sources/{source_id}/sync"): {"source_id": ids["source_id"]},
    }
    plan = Plan(key=quiet_kairos.admin_key, skip={STREAM}, pins=pins)
    _no_server_errors(await asyncio.to_thread(fuzz, quiet_kairos.url, plan), at_least=40)


async def test_no_generated_credentials_make_kairos_answer_a_server_error(quiet_kairos: Running) -> None:
    # Every route reads credentials the same way: one public, one authenticated and one admin route suffice.
    only = {("GET", "/api/resources"), ("GET", "/api/outages"), ("GET", "/api/api-keys")}
    plan = Plan(key=None, only=only, examples=50)
    _no_server_errors(await asyncio.to_thread(fuzz, quiet_kairos.url, plan), at_least=3)


def _walk(routes: list[BaseRoute], prefix: str = "") -> list[Route]:
    """Every route of the app, through FastAPI's included routers."""
    found: list[Route] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found += _walk(inner.routes, prefix + (getattr(route.include_context, "prefix", "") or ""))  # type: ignore[attr-defined]
        elif isinstance(route, Route):
            found.append(route)
    return found


def page_templates(app: FastAPI) -> list[str]:
    """The GET routes that the OpenAPI document leaves out: the pages, badges, embeds and docs."""
    routes = _walk(app.routes)
    return sorted({r.path for r in routes if not r.include_in_schema and "GET" in (r.methods or ())})


@pytest.mark.filterwarnings("ignore:http.cookiejar bug:UserWarning")  # its domain check parses the hostile Host
async def test_page_routes_never_answer_a_server_error(quiet_kairos: Running) -> None:
    """Hostile ids (past 2**63, negative, NUL, unicode, very long), query values and Host headers, anonymously
    and as a signed-in admin, on every page route, badges and embeds included."""
    templates = page_templates(quiet_kairos.app)
    for must in ("/groups/{group_id}", "/badges/resources/{resource_id}.svg", "/embed/groups/{group_id}", "/outages"):
        assert must in templates
    await add_user(quiet_kairos, "fuzz-admin@kairos.test", "fuzz-admin-password", role="ADMIN")
    async with httpx.AsyncClient(base_url=quiet_kairos.url) as browser:
        await sign_in(browser, "fuzz-admin@kairos.test", "fuzz-admin-password")
        admin_cookies = dict(browser.cookies)
    assert admin_cookies, "the admin did not sign in"
    for cookies in ({}, admin_cookies):
        report = await asyncio.to_thread(fuzz_pages, quiet_kairos.url, templates, cookies)
        _no_server_errors(report, at_least=20)
