"""Console forms answer a refused value in words a person can act on ("Enter whole seconds between 5 and
86,400."), with the field's unit and whole range, never pydantic's wording; the API keeps its own errors."""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx

from tests.harness import Running
from tests.web.pages import admin_browser, post_form

# Pydantic's own phrases: none of them may reach a console page.
_PYDANTIC = (
    "Input should", "Value error", "valid integer", "unable to parse", "String should", "Field required",
    "Extra inputs", "valid number", "valid datetime", "valid boolean",
)  # fmt: skip


def _error(html: str, element_id: str) -> str:
    """The text of the field error ``element_id`` (the message shown next to its field)."""
    match = re.search(rf'id="{re.escape(element_id)}">([^<]*)<', html)
    assert match, f"no #{element_id} on the page"
    return match.group(1).replace("&#39;", "'")


def _no_pydantic_wording(html: str) -> None:
    leaked = [phrase for phrase in _PYDANTIC if phrase in html]
    assert leaked == [], leaked


async def _refused(browser: httpx.AsyncClient, url: str, data: Mapping[str, str], page: str | None = None) -> str:
    r = await post_form(browser, url, data, page)
    assert r.status_code == 422, r.text
    _no_pydantic_wording(r.text)
    return r.text


async def test_the_resource_form_names_units_and_ranges(kairos: Running) -> None:
    http = {
        "name": "x" * 300,
        "target": "http://127.0.0.1:9/",
        "intervalSeconds": "every minute",
        "timeoutSeconds": "0",
        "outageThreshold": "1.5",
        "recoveryThreshold": "1000",
        "options.maxRedirects": "many",
        "options.certExpiryDays": "two weeks",
        "options.method": "TRACE",
    }
    async with admin_browser(kairos) as browser:
        page = await _refused(browser, "/admin/resources/new?kind=HTTP", http)
        assert _error(page, "name-error") == "Use at most 200 characters."
        assert _error(page, "intervalSeconds-error") == "Enter whole seconds between 5 and 86,400."
        assert _error(page, "timeoutSeconds-error") == "Enter a number of seconds between 1 and 300."
        assert _error(page, "outageThreshold-error") == "Enter a whole number between 1 and 100."
        assert _error(page, "recoveryThreshold-error") == "Enter a whole number between 1 and 100."
        assert _error(page, "opt-maxRedirects-error") == "Enter a whole number between 0 and 20."
        assert _error(page, "opt-certExpiryDays-error") == "Enter whole days between 0 and 365."
        assert _error(page, "opt-method-error") == "Choose one of: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS."

        push = {"name": "cron job", "options.graceSeconds": "soon"}
        page = await _refused(browser, "/admin/resources/new?kind=PUSH", push)
        assert _error(page, "opt-graceSeconds-error") == "Enter whole seconds between 0 and 2,592,000."

        types = {"intervalSeconds": "30s", "timeoutSeconds": "abc", "parallelism": "0", "outageThreshold": "3"}
        types["recoveryThreshold"] = "2"
        page = await _refused(browser, "/admin/resource-types/HTTP", types, "/admin/resource-types")
        assert _error(page, "http-intervalSeconds-error") == "Enter whole seconds between 5 and 86,400."
        assert _error(page, "http-timeoutSeconds-error") == "Enter a number of seconds between 1 and 300."
        assert _error(page, "http-parallelism-error") == "Enter a whole number between 1 and 100."
    assert (await kairos.client.get("/api/resources")).json() == []


async def test_site_maintenance_and_discovery_forms_speak_plainly(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        page = await _refused(browser, "/admin/settings", {"title": "Kairos", "availability_decimals": "9"})
        assert _error(page, "availability_decimals-error") == "Enter a whole number between 0 and 4."

        window = {"title": " ", "schedule": "once", "starts_at": "tomorrow", "ends_at": "", "scope": "all"}
        page = await _refused(browser, "/admin/maintenance/new", window)
        assert _error(page, "title-error") == "This is required."
        assert _error(page, "startsAt-error") == "Enter a date and time, e.g. 2026-05-01 14:30."
        weekly = {**window, "title": "Patch night", "schedule": "weekly", "starts_at": "", "weekdays": "mon"}
        page = await _refused(
            browser, "/admin/maintenance/new", {**weekly, "start_time": "02:00", "duration_minutes": "1h"}
        )
        assert _error(page, "durationMinutes-error") == "Enter whole minutes between 1 and 10,080."

        source = {"name": "hub", "kind": "REGISTRY", "prefix": "registry.example.test/team", "parallelism": "0"}
        page = await _refused(browser, "/admin/discovery/new", {**source, "intervalSeconds": "hourly"})
        assert _error(page, "f-intervalSeconds-error") == "Enter whole seconds between 60 and 604,800."
        assert _error(page, "f-parallelism-error") == "Enter a whole number between 1 and 16."


async def test_people_groups_pages_and_proxies_forms_speak_plainly(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        user = {"email": "ops@example.com", "name": "", "role": "ROOT", "password": "a-long-enough-password"}
        page = await _refused(browser, "/admin/users", user, "/admin/users/new")
        assert _error(page, "role-error") == "Choose one of: ADMIN or USER."

        page = await _refused(browser, "/admin/groups", {"name": "web", "visibility": "SECRET"})
        assert _error(page, "new-visibility-error") == "Choose one of: PUBLIC, AUTHENTICATED or HIDDEN."

        status_page = {"slug": "public", "title": " ", "description": ""}
        page = await _refused(browser, "/admin/status-pages/new", status_page)
        assert _error(page, "title-error") == "This is required."

        proxy = {"name": "corp", "named_url": "x" * 3000}
        page = await _refused(browser, "/admin/proxies/named", proxy, "/admin/proxies")
        assert "Use at most 2,048 characters." in page
    # the API keeps pydantic's machine-readable error for the same value
    r = await kairos.client.post("/api/groups", json={"name": "web", "visibility": "SECRET"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "visibility"
