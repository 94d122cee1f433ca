"""Runs a real Kairos (uvicorn on a loopback port) inside the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from kairos.app import create_app
from kairos.auth.apikeys import create_key
from kairos.runtime import Runtime
from kairos.scheduler.loop import Scheduler
from kairos.settings import Settings


@dataclass
class Running:
    url: str
    app: FastAPI
    runtime: Runtime
    client: httpx.AsyncClient  # authenticated as an admin API key
    anon: httpx.AsyncClient
    admin_key: str


def make_settings(db_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "data_dir": data_dir,
        "secret_key": "test-secret-key",
        "flush_interval_s": 0.05,
        "host": "127.0.0.1",
        "port": 8080,
        **overrides,
    }
    return Settings(**values)


@contextlib.asynccontextmanager
async def serving(settings: Settings, port: int = 0) -> AsyncIterator[tuple[FastAPI, int]]:
    """Kairos under uvicorn on 127.0.0.1:``port`` (0: any free port) in this event loop: (app, port)."""
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("Kairos did not start")
        await asyncio.sleep(0.01)
    try:
        yield app, server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def running_kairos(settings: Settings) -> AsyncIterator[Running]:
    async with serving(settings) as (app, port):
        url = f"http://127.0.0.1:{port}"
        runtime: Runtime = app.state.runtime
        async with runtime.sessionmaker() as session:
            key = await create_key(session, "tests")
            await session.commit()
        headers = {"Authorization": f"Bearer {key.plaintext}"}
        async with (
            httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client,
            httpx.AsyncClient(base_url=url, timeout=30) as anon,
        ):
            yield Running(url, app, runtime, client, anon, key.plaintext)


def local_scheduler(runtime: Runtime) -> Scheduler:
    """The single process's scheduler, for tests of its internals (a fleet web node has a FleetControl)."""
    assert isinstance(runtime.scheduler, Scheduler)
    return runtime.scheduler


async def wait_for(predicate: Any, timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Poll ``predicate`` (sync or async) until it returns something truthy."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)
