"""A running Kairos whose notification loop is fast (short grouping window and backoff), plus receivers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.loopback import Target, closed_port, target
from tests.harness import Running, make_settings, running_kairos
from tests.notify.receivers import Hook, Smtp, hook_server, smtp_server

__all__ = ["closed_port", "target"]

WINDOW_S = 0.5
MAX_ATTEMPTS = 3


@pytest.fixture
async def kairos(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    settings = make_settings(db_url, tmp_path, notify_group_window_s=WINDOW_S, notify_max_attempts=MAX_ATTEMPTS)
    async with running_kairos(settings) as running:
        notifications = running.runtime.notifications
        assert notifications is not None
        notifications.tick_s, notifications.backoff_base_s = 0.05, 0.2
        for kind in ("HTTP", "TCP"):  # one failure opens an outage, one success closes it
            r = await running.client.put(
                f"/api/resource-types/{kind}", json={"outageThreshold": 1, "recoveryThreshold": 1}
            )
            assert r.status_code == 200, r.text
        yield running


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    async with hook_server() as h:
        yield h


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    with smtp_server() as s:
        yield s


async def created(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await client.post(url, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def channel(client: httpx.AsyncClient, url: str, kind: str = "WEBHOOK", name: str = "ops") -> int:
    return int((await created(client, "/api/notifications/channels", {"name": name, "kind": kind, "url": url}))["id"])


async def policy(client: httpx.AsyncClient, channel_id: int, events: list[str] | None = None, **extra: Any) -> int:
    body = {"name": "p", "channelId": channel_id, "events": events or ["outage_opened", "outage_resolved"], **extra}
    return int((await created(client, "/api/notifications/policies", body))["id"])


async def failing_resource(client: httpx.AsyncClient, target: Target, name: str, **extra: Any) -> int:
    body = {"name": name, "resourceType": "HTTP", "target": target.url("/fail"), **extra}
    return int((await created(client, "/api/resources", body))["id"])


async def deliveries(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    r = await client.get("/api/notifications/deliveries", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])
