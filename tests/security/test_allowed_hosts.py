"""The Host-header allowlist (DNS rebinding) and the trailing-slash redirect that never echoes the Host.

A rebinding page reaches Kairos on 127.0.0.1 with ``Host: evil.example``: it must get 400 on every path, before
routing; the names a first run uses (localhost, IP literals, the public URL's host) keep working."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kairos.web.hosts import HostPolicy, host_name
from tests.harness import Running, make_settings, running_kairos

EVERY_KIND_OF_PATH = (
    "/",
    "/api/resources",
    "/actuator/health",
    "/metrics",
    "/static/css/kairos.css",
    "/login",
    "/no-such-page",
    "/api/resources/",
)


@pytest.mark.parametrize("path", EVERY_KIND_OF_PATH)
async def test_a_foreign_host_gets_400_before_routing_on_every_path(kairos: Running, path: str) -> None:
    r = await kairos.anon.get(path, headers={"Host": "evil.example"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "host_not_allowed"
    assert "location" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"  # the security headers are on the refusal too


async def test_a_foreign_host_cannot_open_the_event_stream(kairos: Running) -> None:
    r = await kairos.anon.get("/api/resources/stream", headers={"Host": "evil.example:8080"})
    assert r.status_code == 400


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:8080",
        "LOCALHOST.",
        "status.localhost:1",
        "127.0.0.1",
        "127.0.0.1:9",
        "[::1]:8080",
        "192.168.1.20:8080",
        "10.0.0.7",
        "[fe80::1]",
    ],
)
async def test_the_names_of_a_first_run_are_allowed(kairos: Running, host: str) -> None:
    r = await kairos.anon.get("/actuator/health", headers={"Host": host})
    assert r.status_code == 200, (host, r.text)


async def test_the_public_url_host_and_the_listed_names_are_allowed(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        db_url, tmp_path, public_url="https://status.example.com/", allowed_hosts="kairos.internal, *.corp.example"
    )
    async with running_kairos(settings) as kairos:
        for host in ("status.example.com", "status.example.com:443", "kairos.internal", "a.b.corp.example"):
            assert (await kairos.anon.get("/actuator/health", headers={"Host": host})).status_code == 200, host
        for host in ("corp.example", "example.com", "evil.example", "status.example.com.evil.example", "xcorp.example"):
            assert (await kairos.anon.get("/actuator/health", headers={"Host": host})).status_code == 400, host


async def test_a_star_allows_every_host(db_url: str, tmp_path: Path) -> None:
    async with running_kairos(make_settings(db_url, tmp_path, allowed_hosts="*")) as kairos:
        assert (await kairos.anon.get("/actuator/health", headers={"Host": "evil.example"})).status_code == 200


async def test_a_request_without_a_host_header_is_answered(kairos: Running) -> None:
    """HTTP/1.0 has no Host; no browser sends such a request, so it cannot carry a rebinding attack."""
    port = int(kairos.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /actuator/health HTTP/1.0\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert b" 200 " in head


@pytest.mark.parametrize("host", ["status.localhost:8080", "127.0.0.2"])
async def test_the_slash_redirect_is_relative_whatever_the_host(kairos: Running, host: str) -> None:
    r = await kairos.anon.get("/api/resources/?page=1", headers={"Host": host})
    assert r.status_code == 307
    assert r.headers["location"] == "/api/resources?page=1"


async def test_the_slash_redirect_is_relative_when_every_host_is_allowed(db_url: str, tmp_path: Path) -> None:
    async with running_kairos(make_settings(db_url, tmp_path, allowed_hosts="*")) as kairos:
        r = await kairos.anon.get("/api/resources/", headers={"Host": "evil.example"})
        assert r.status_code == 307
        assert r.headers["location"] == "/api/resources"
        double = await kairos.anon.get("//evil.example/", headers={"Host": "evil.example"})
        assert not double.headers.get("location", "/").startswith("//")


def test_host_names_are_read_without_port_or_brackets() -> None:
    assert host_name("[::1]:8080") == "::1"
    assert host_name("Example.COM:80") == "example.com"
    assert host_name("example.com.") == "example.com"
    policy = HostPolicy(["*.example.com"])
    assert policy.allows("a.example.com") and not policy.allows("example.com") and not policy.allows("")
