"""The live stream ``GET /api/resources/stream`` (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from tests.api.loopback import Target
from tests.api.support import create_resource, wait_for_status
from tests.harness import Running, make_settings, running_kairos


async def _events(response: httpx.Response) -> AsyncIterator[tuple[str, Any]]:
    """(event name, parsed data) for each message; comments and ``retry:`` come through as ("", line)."""
    event, data = "message", ""
    async for line in response.aiter_lines():
        if line.startswith(":") or line.startswith("retry:"):
            yield "", line
        elif line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data += line.split(":", 1)[1].strip()
        elif line == "" and data:
            yield event, json.loads(data)
            event, data = "message", ""


async def _updates_until(response: httpx.Response, resource_id: int) -> list[dict[str, Any]]:
    """Every status update received up to and including the first one about ``resource_id``."""
    seen: list[dict[str, Any]] = []
    async for event, data in _events(response):
        if event == "status":
            seen.extend(data)
            if any(u["resourceId"] == resource_id for u in data):
                return seen
    raise AssertionError("the stream ended")


async def test_a_subscriber_gets_the_result_of_a_check(kairos: Running, target: Target) -> None:
    async with kairos.anon.stream("GET", "/api/resources/stream") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        created = await create_resource(kairos, target.url("/"), name="web")
        updates = await asyncio.wait_for(_updates_until(response, created["id"]), 10)
    update = next(u for u in updates if u["resourceId"] == created["id"])
    assert update["status"] == "available"
    assert update["checkedAt"] and update["latencyMs"] is not None and update["outageSince"] is None
    assert update["block"]["index"] == 95 and update["block"]["status"] == "A"
    assert update["uptime"]["h24"] == 100.0


async def test_the_stream_starts_with_a_retry_interval(kairos: Running) -> None:
    async with kairos.anon.stream("GET", "/api/resources/stream") as response:
        first = await asyncio.wait_for(anext(_events(response)), 5)
    assert first == ("", "retry: 3000")


async def test_an_anonymous_subscriber_never_gets_hidden_resources(kairos: Running, target: Target) -> None:
    hidden_group = (await kairos.client.post("/api/groups", json={"name": "Ops", "visibility": "HIDDEN"})).json()
    hidden = await create_resource(kairos, target.url("/"), name="secret", groupIds=[hidden_group["id"]])
    shown = await create_resource(kairos, target.url("/"), name="public")
    await wait_for_status(kairos, hidden["id"], "available")
    await wait_for_status(kairos, shown["id"], "available")
    async with (
        kairos.anon.stream("GET", "/api/resources/stream") as anon,
        kairos.client.stream("GET", "/api/resources/stream") as admin,
    ):
        await kairos.runtime.scheduler.check_now(hidden["id"])
        await kairos.runtime.scheduler.check_now(shown["id"])
        anon_seen = await asyncio.wait_for(_updates_until(anon, shown["id"]), 10)
        admin_seen = await asyncio.wait_for(_updates_until(admin, shown["id"]), 10)
    assert hidden["id"] not in {u["resourceId"] for u in anon_seen}
    assert hidden["id"] in {u["resourceId"] for u in admin_seen}


async def test_stopping_the_server_ends_an_open_stream(db_url: str, tmp_path: Path) -> None:
    async def stop_with_a_stream_open() -> list[str]:
        async with httpx.AsyncClient(timeout=30) as client:
            async with running_kairos(make_settings(db_url, tmp_path)) as k:
                response = await client.send(client.build_request("GET", k.url + "/api/resources/stream"), stream=True)
                lines = response.aiter_lines()
                first = await anext(lines)
            # The harness has waited for the server to stop: it could only do so by ending the stream.
            rest = [line async for line in lines]
            await response.aclose()
        return [first, *rest]

    lines = await asyncio.wait_for(stop_with_a_stream_open(), 15)
    assert lines[0] == "retry: 3000"
