"""A running Kairos whose outages open after one failure and close after one success, a webhook receiver, and
helpers to make windows through the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.loopback import Target, target
from tests.fleet.conftest import pg_engine, pg_sessions, pg_url
from tests.harness import Running, make_settings, running_kairos
from tests.notify.conftest import hook

__all__ = ["hook", "pg_engine", "pg_sessions", "pg_url", "target"]


@pytest.fixture
async def kairos(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    settings = make_settings(db_url, tmp_path, notify_group_window_s=0.2)
    async with running_kairos(settings) as running:
        for kind in ("HTTP", "TCP"):
            r = await running.client.put(
                f"/api/resource-types/{kind}", json={"outageThreshold": 1, "recoveryThreshold": 1}
            )
            assert r.status_code == 200, r.text
        yield running


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def one_off(title: str = "db upgrade", *, start_min: float = -1, end_min: float = 60, **extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {"title": title, "startsAt": iso(now + timedelta(minutes=start_min))}
    return body | {"endsAt": iso(now + timedelta(minutes=end_min))} | extra


async def made(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    r = await client.post("/api/maintenance-windows", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def resource(client: httpx.AsyncClient, target: Target, name: str, path: str = "/fail", **extra: Any) -> int:
    body = {"name": name, "resourceType": "HTTP", "target": target.url(path), **extra}
    r = await client.post("/api/resources", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])
