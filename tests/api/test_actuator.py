"""Metrics, health, info, and the API documentation served without a CDN."""

from __future__ import annotations

import re

from tests.api.loopback import Target
from tests.api.support import create_resource, wait_for_status
from tests.harness import Running


async def _metrics(kairos: Running, path: str = "/actuator/prometheus") -> str:
    response = await kairos.anon.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_a_status_series_appears_on_create_and_disappears_on_delete(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"), name="shop")
    series = re.compile(r'kairos_resource_status\{[^}]*resource_name="shop"[^}]*\}')
    assert series.search(await _metrics(kairos))
    assert series.search(await _metrics(kairos, "/metrics"))
    await kairos.client.delete(f"/api/resources/{created['id']}")
    assert not series.search(await _metrics(kairos))


async def test_health_is_up_with_its_components(kairos: Running) -> None:
    response = await kairos.anon.get("/actuator/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "UP"
    assert body["components"]["db"]["status"] == "UP"
    assert body["components"]["scheduler"]["status"] == "UP"
    assert body["components"]["scheduler"]["pendingResults"] >= 0


async def test_info_names_the_version(kairos: Running) -> None:
    from kairos import __version__

    assert (await kairos.anon.get("/actuator/info")).json() == {"app": {"name": "kairos", "version": __version__}}


async def test_swagger_ui_is_served_from_local_assets(kairos: Running) -> None:
    response = await kairos.anon.get("/api")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', response.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert (await kairos.anon.get(asset)).status_code == 200, asset


async def test_the_openapi_document_describes_the_api(kairos: Running) -> None:
    doc = (await kairos.anon.get("/v3/api-docs")).json()
    assert (await kairos.anon.get("/openapi.json")).json() == doc
    paths = doc["paths"]
    for path in (
        "/api/resources",
        "/api/resources/{resource_id}/history",
        "/api/resources/status-updates",
        "/api/outages",
        "/api/resource-types",
        "/api/credentials",
        "/api/api-keys",
        "/actuator/health",
    ):
        assert path in paths, path
    create = paths["/api/resources"]["post"]
    assert create["summary"] and "admin" in create["description"]
    assert create["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")
    body = doc["components"]["schemas"]["ResourceCreate"]
    assert body["additionalProperties"] is False
    assert "intervalSeconds" in body["properties"]
    history = paths["/api/resources/{resource_id}/history"]["get"]
    assert "anyone who may see the resource" in history["description"]


async def test_metrics_count_failures_by_error_code_and_time_each_phase(
    kairos: Running, target: Target, closed_port: int
) -> None:
    up = await create_resource(kairos, target.url(), name="up")
    down = await create_resource(kairos, f"http://127.0.0.1:{closed_port}/", name="down")
    await wait_for_status(kairos, up["id"], "available")
    await wait_for_status(kairos, down["id"], "not-available")
    text = (await kairos.anon.get("/actuator/prometheus")).text
    assert 'kairos_check_errors_total{error_code="connect_refused",resource_type="HTTP"}' in text
    for phase in ("dns", "connect", "first_byte"):
        assert f'kairos_check_phase_seconds_count{{phase="{phase}",resource_type="HTTP"}}' in text
