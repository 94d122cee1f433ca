"""The worker's health and metrics listener, served for real on a loopback port (no database needed)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from kairos.fleet.health import HealthListener, ListenerError, WorkerHealth
from kairos.metrics import CONTENT_TYPE
from kairos.settings import load_settings
from tests.servers.ports import free_port

METRICS = b"# TYPE kairos_up gauge\nkairos_up 1\n"


class Worker:
    """What the worker reports, changed by the tests between requests."""

    def __init__(self) -> None:
        self.health = WorkerHealth(checking=True, database=True, leader=False, pending_results=3)

    def status(self) -> WorkerHealth:
        return self.health


@pytest.fixture
async def served() -> AsyncIterator[tuple[Worker, HealthListener, str]]:
    worker = Worker()
    settings = load_settings(host="127.0.0.1", worker_port=free_port(), location="eu", worker_id="eu-1")
    listener = HealthListener(settings, worker.status, lambda: METRICS)
    await listener.start()
    yield worker, listener, f"http://127.0.0.1:{listener.port}"
    await listener.stop()


async def test_health_is_up_with_its_components_and_down_with_503_and_the_reason(
    served: tuple[Worker, HealthListener, str],
) -> None:
    worker, _, base = served
    async with httpx.AsyncClient(base_url=base) as client:
        r = await client.get("/actuator/health")
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "UP"
        assert body["components"]["scheduler"] == {"status": "UP", "pendingResults": 3}
        assert body["components"]["leadership"] == {"status": "UP", "leader": False}
        assert body["components"]["worker"] == {"status": "UP", "id": "eu-1", "location": "eu"}

        worker.health = WorkerHealth(
            checking=True, database=False, leader=True, pending_results=40, database_message="connection refused"
        )
        r = await client.get("/actuator/health")
        assert r.status_code == 503 and r.json()["status"] == "DOWN"
        assert r.json()["components"]["db"] == {"status": "DOWN", "message": "connection refused"}
        assert r.json()["components"]["leadership"]["leader"] is True

        worker.health = WorkerHealth(checking=False, database=True, leader=False, pending_results=0)
        r = await client.get("/actuator/health")
        assert r.status_code == 503
        assert r.json()["components"]["scheduler"]["message"] == "the checking loop is not running"


async def test_metrics_under_both_paths_and_nothing_else(served: tuple[Worker, HealthListener, str]) -> None:
    _, _, base = served
    async with httpx.AsyncClient(base_url=base) as client:
        for path in ("/metrics", "/actuator/prometheus"):
            r = await client.get(path)
            assert r.status_code == 200 and r.content == METRICS and r.headers["content-type"] == CONTENT_TYPE
        r = await client.get("/api/resources")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        r = await client.post("/actuator/health")
        assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


async def test_a_port_in_use_is_a_one_line_error_and_a_stopped_listener_frees_its_port() -> None:
    port = free_port()
    settings = load_settings(host="127.0.0.1", worker_port=port)
    with socket.create_server(("127.0.0.1", port)), pytest.raises(ListenerError) as caught:
        await HealthListener(settings, lambda: Worker().health, lambda: b"").start()
    assert str(caught.value).startswith(f"KAIROS_WORKER_PORT: cannot listen on 127.0.0.1:{port}: ")
    assert "\n" not in str(caught.value)

    listener = HealthListener(settings, lambda: Worker().health, lambda: b"")
    await listener.start()
    await listener.stop()
    socket.create_server(("127.0.0.1", port)).close()  # free again
