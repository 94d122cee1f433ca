"""A resource deleted while its check is running: the late result is dropped, and a resource created right
after it (SQLite hands out the deleted id again) is checked at once and never gets the old check's result."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from tests.api.loopback import Target, target
from tests.api.support import create_resource, wait_for_status
from tests.harness import Running, wait_for

__all__ = ["target"]


@pytest.fixture
async def silent() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """An HTTP server that accepts and never answers; the event is set once a check has connected."""
    connected = asyncio.Event()
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        connected.set()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/", connected
        for writer in held:
            with contextlib.suppress(Exception):
                writer.close()


async def test_a_resource_created_after_one_deleted_mid_check_is_checked_at_once_and_keeps_no_stale_result(
    kairos: Running, target: Target, silent: tuple[str, asyncio.Event]
) -> None:
    url, connected = silent
    doomed = await create_resource(kairos, url, name="doomed", timeoutSeconds=4)
    await asyncio.wait_for(connected.wait(), 10)
    assert (await kairos.client.delete(f"/api/resources/{doomed['id']}")).status_code == 204
    fresh = await create_resource(kairos, target.url("/"), name="fresh")
    # Checked at once, while the deleted resource's check still hangs (it is cut only after 4 s).
    body = await wait_for_status(kairos, fresh["id"], "available")
    assert body["name"] == "fresh"
    loop = asyncio.get_running_loop()
    cut = loop.time() + 5.0
    await wait_for(lambda: loop.time() > cut, timeout=10)
    await kairos.runtime.scheduler.flush_results()
    history = (await kairos.client.get(f"/api/resources/{fresh['id']}/history")).json()
    assert history and all(item["status"] == "AVAILABLE" for item in history), history
    assert (await kairos.client.get(f"/api/resources/{fresh['id']}")).json()["currentStatus"] == "available"
