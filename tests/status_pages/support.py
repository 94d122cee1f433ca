"""Helpers of the status page tests: groups, resources in them, pages, all through the API."""

from __future__ import annotations

from typing import Any

from tests.harness import Running

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


async def group(kairos: Running, name: str, visibility: str = "PUBLIC") -> int:
    r = await kairos.client.post("/api/groups", json={"name": name, "visibility": visibility})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def resource(kairos: Running, name: str, group_id: int, **fields: Any) -> int:
    body = {"name": name, "resourceType": "TCP", "target": "127.0.0.1:9", "groupIds": [group_id], "active": False}
    r = await kairos.client.post("/api/resources", json={**body, **fields})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def page(kairos: Running, **fields: Any) -> dict[str, Any]:
    r = await kairos.client.post("/api/status-pages", json={"slug": "main", "title": "Our status", **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())
