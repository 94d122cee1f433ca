"""Helpers shared by the API tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.harness import Running, wait_for


def assert_error(response: httpx.Response, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    if field is not None:
        assert error["field"] == field, error
    return dict(error)


async def create_resource(kairos: Running, target: str, **fields: Any) -> dict[str, Any]:
    body = {
        "name": fields.pop("name", "target"),
        "resourceType": fields.pop("resourceType", "HTTP"),
        "target": target,
        **fields,
    }
    response = await kairos.client.post("/api/resources", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def wait_for_status(kairos: Running, resource_id: int, status: str) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        body = (await kairos.client.get(f"/api/resources/{resource_id}")).json()
        return body if body["currentStatus"] == status else None

    return dict(await wait_for(reached))


async def wait_for_history(kairos: Running, resource_id: int, count: int = 1) -> list[dict[str, Any]]:
    async def written() -> list[dict[str, Any]] | None:
        items = (await kairos.client.get(f"/api/resources/{resource_id}/history")).json()
        return items if len(items) >= count else None

    return list(await wait_for(written))
