"""CORS for ``/api/*``: only the origins in KAIROS_CORS_ORIGINS, never with credentials, none by default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Running, make_settings, running_kairos

ALLOWED = "https://dashboard.example"
OTHER = "https://evil.example"


@pytest.fixture
async def with_cors(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    settings = make_settings(db_url, tmp_path, cors_origins=f"{ALLOWED}, https://second.example")
    async with running_kairos(settings) as running:
        yield running


async def test_an_allowed_origin_may_read_api_answers(with_cors: Running) -> None:
    r = await with_cors.client.get("/api/resources", headers={"Origin": ALLOWED})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-credentials" not in r.headers
    second = await with_cors.anon.get("/api/resources", headers={"Origin": "https://second.example"})
    assert second.headers["access-control-allow-origin"] == "https://second.example"


async def test_another_origin_gets_no_cors_headers(with_cors: Running) -> None:
    r = await with_cors.client.get("/api/resources", headers={"Origin": OTHER})
    assert r.status_code == 200
    assert not [h for h in r.headers if h.startswith("access-control-")]


async def test_a_preflight_from_an_allowed_origin_lists_methods_and_headers(with_cors: Running) -> None:
    r = await with_cors.anon.options(
        "/api/resources",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-api-key",
        },
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert set(r.headers["access-control-allow-methods"].split(", ")) == {"GET", "POST", "PUT", "DELETE"}
    allowed_headers = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "x-api-key", "content-type", "x-csrf-token"} <= allowed_headers
    assert "access-control-allow-credentials" not in r.headers
    assert r.headers["content-security-policy"]  # the preflight answer carries the security headers too


async def test_a_preflight_from_another_origin_is_refused(with_cors: Running) -> None:
    r = await with_cors.anon.options(
        "/api/resources", headers={"Origin": OTHER, "Access-Control-Request-Method": "DELETE"}
    )
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers


async def test_a_preflight_for_another_method_is_refused(with_cors: Running) -> None:
    r = await with_cors.anon.options(
        "/api/resources", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "PATCH"}
    )
    assert r.status_code == 400


async def test_pages_outside_the_api_get_no_cors_headers(with_cors: Running) -> None:
    for path in ("/", "/actuator/health", "/v3/api-docs"):
        r = await with_cors.anon.get(path, headers={"Origin": ALLOWED})
        assert "access-control-allow-origin" not in r.headers, path


async def test_without_configured_origins_there_are_no_cors_headers(kairos: Running) -> None:
    r = await kairos.client.get("/api/resources", headers={"Origin": ALLOWED})
    assert r.status_code == 200
    assert not [h for h in r.headers if h.startswith("access-control-")]
    preflight = await kairos.anon.options(
        "/api/resources", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers
