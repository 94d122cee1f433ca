"""Credentials and notification policies edited on a web node reach the workers at once: the node announces
``settings`` on ``kairos_resources`` (failed before: a worker kept checking with the old credential and recording
events with the old policies until it restarted)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import httpx
import psycopg
import pytest

from kairos.fleet import channels
from kairos.fleet.listen import conninfo_of
from tests.harness import Running, make_settings, running_kairos


@pytest.fixture
async def web(pg_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async with running_kairos(make_settings(pg_url, tmp_path, role="web")) as running:
        yield running


async def _announced(pg_url: str, request: Awaitable[httpx.Response]) -> list[str]:
    async with await psycopg.AsyncConnection.connect(conninfo_of(pg_url), autocommit=True) as conn:
        await conn.execute(f"LISTEN {channels.RESOURCES}")
        response = await request
        assert response.status_code == 201, response.text
        return [n.payload async for n in conn.notifies(timeout=5, stop_after=1)]


async def test_a_credential_edited_on_a_web_node_is_announced_to_the_workers(web: Running, pg_url: str) -> None:
    body = {"name": "reg", "pattern": "https://registry.example/*", "username": "u", "password": "p"}
    created = web.client.post("/api/credentials", json=body)
    assert await _announced(pg_url, created) == [channels.SETTINGS]


async def test_a_notification_channel_created_on_a_web_node_is_announced(web: Running, pg_url: str) -> None:
    body = {"name": "hook", "url": "json://127.0.0.1:9/hook"}
    created = web.client.post("/api/notifications/channels", json=body)
    assert await _announced(pg_url, created) == [channels.SETTINGS]
