"""Who may scrape ``/actuator/prometheus`` and ``/metrics``: open by default, an API key or an admin with
``KAIROS_METRICS_REQUIRE_KEY=true``, any key or user in a private Kairos. Metrics list every resource,
whatever its groups' visibility; health and info stay open in every mode."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.access.world import RESOURCES, USER_EMAIL, USER_PASSWORD, build_world
from tests.api.loopback import Target
from tests.api.support import assert_error
from tests.harness import Running, make_settings, running_kairos
from tests.web.pages import add_user, admin_browser, sign_in

ADMIN = "metrics-admin@kairos.local"
METRICS = ("/actuator/prometheus", "/metrics")
OPEN = ("/actuator/health", "/actuator/info")


def _basic(email: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


async def _read_key(kairos: Running) -> dict[str, str]:
    r = await kairos.client.post("/api/api-keys", json={"name": "scraper", "role": "READ"})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['key']}"}


@pytest.fixture
async def keyed(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async with running_kairos(make_settings(db_url, tmp_path, metrics_require_key=True)) as running:
        yield running


@pytest.fixture
async def private(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async with running_kairos(make_settings(db_url, tmp_path, access_mode="private")) as running:
        yield running


async def _get(kairos: Running, path: str, **kwargs: Any) -> httpx.Response:
    return await kairos.anon.get(path, **kwargs)


async def test_metrics_list_every_resource_whatever_its_groups(kairos: Running, target: Target) -> None:
    async with build_world(kairos, target) as world:
        for path in METRICS:
            r = await world.clients["anonymous"].get(path)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
            for name in RESOURCES:
                rid = world.ids[name]
                assert f'kairos_resource_status{{resource_id="{rid}",resource_name="{name}"' in r.text, name


async def test_with_the_setting_on_metrics_need_a_key_or_an_admin(keyed: Running) -> None:
    await add_user(keyed, USER_EMAIL, USER_PASSWORD)
    await add_user(keyed, ADMIN, USER_PASSWORD, role="ADMIN")  # admin/admin is refused over Basic
    read = await _read_key(keyed)
    for path in METRICS:
        error = assert_error(await _get(keyed, path), 401, "unauthorized")
        assert "API key" in error["message"]
        assert (await _get(keyed, path, headers=read)).status_code == 200, path
        assert (await keyed.client.get(path)).status_code == 200, path
        assert (await _get(keyed, path, headers=_basic(ADMIN, USER_PASSWORD))).status_code == 200
        assert_error(await _get(keyed, path, headers=_basic(USER_EMAIL, USER_PASSWORD)), 403, "forbidden")
        assert_error(await _get(keyed, path, headers={"X-API-Key": "kai_wrong"}), 401, "unauthorized")
    for path in OPEN:
        assert (await _get(keyed, path)).status_code == 200, path


async def test_with_the_setting_on_a_signed_in_admin_may_read_metrics_but_a_user_may_not(keyed: Running) -> None:
    await add_user(keyed, USER_EMAIL, USER_PASSWORD)
    async with admin_browser(keyed) as admin:
        assert (await admin.get("/metrics")).status_code == 200
    async with httpx.AsyncClient(base_url=keyed.url, timeout=30) as user:
        await sign_in(user, USER_EMAIL, USER_PASSWORD)
        assert_error(await user.get("/metrics"), 403, "forbidden")


async def test_a_private_kairos_answers_anonymous_scrapers_401_and_keeps_health_open(private: Running) -> None:
    read = await _read_key(private)
    for path in METRICS:
        assert_error(await _get(private, path), 401, "unauthorized")
        assert (await _get(private, path, headers=read)).status_code == 200, path
    for path in (*OPEN, "/v3/api-docs"):
        assert (await _get(private, path)).status_code == 200, path


async def test_the_openapi_document_says_who_may_scrape(kairos: Running) -> None:
    doc = (await kairos.anon.get("/v3/api-docs")).json()
    for path in METRICS:
        operation = doc["paths"][path]["get"]
        assert "KAIROS_METRICS_REQUIRE_KEY" in operation["description"]
        assert {"401", "403"} <= set(operation["responses"])
