"""The gate in front of /mcp, /sse and /mcp/message: only an API key with MCP_ACCESS opens it, answered with the
REST API's error shape before the SDK reads anything."""

from __future__ import annotations

import asyncio
import base64
import json
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.support import assert_error
from tests.harness import Running
from tests.mcp.support import make_key
from tests.web.pages import admin_browser

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


@pytest.mark.parametrize(("method", "path"), [("POST", "/mcp"), ("GET", "/sse"), ("POST", "/mcp/message")])
async def test_no_key_gets_401_with_the_api_error_shape(kairos: Running, method: str, path: str) -> None:
    response = await kairos.anon.request(method, path, json=INITIALIZE, headers=MCP_HEADERS)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_no_key_is_refused_before_the_body_is_read(kairos: Running) -> None:
    """The request announces a body it never sends: the answer comes anyway, so nothing waited for it."""
    parts = urlsplit(kairos.url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Accept: application/json, text/event-stream\r\nContent-Length: 100000\r\n\r\n"
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 30)
    writer.close()
    assert status_line.split()[1] == b"401"


async def test_a_wrong_key_gets_401_and_repeated_wrong_keys_get_429(kairos: Running) -> None:
    headers = {**MCP_HEADERS, "Authorization": "Bearer kai_wrong"}
    first = await kairos.anon.post("/mcp", json=INITIALIZE, headers=headers)
    assert_error(first, 401, "unauthorized")
    statuses = [(await kairos.anon.post("/mcp", json=INITIALIZE, headers=headers)).status_code for _ in range(12)]
    assert statuses[-1] == 429
    # The throttle is the REST API's: the same address is refused there too.
    assert_error(await kairos.anon.get("/api/outages", headers={"X-API-Key": "kai_wrong"}), 429, "too_many_requests")


async def test_a_key_without_mcp_access_gets_403(kairos: Running) -> None:
    key = await make_key(kairos, "STATUS_READ", "CHECK_EXECUTE")
    response = await kairos.anon.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "X-API-Key": key})
    assert_error(response, 403, "forbidden")


async def test_a_key_with_mcp_access_opens_it_in_any_header_the_api_takes(kairos: Running) -> None:
    key = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    for header in ({"Authorization": f"Bearer {key}"}, {"Authorization": f"ApiKey {key}"}, {"X-API-Key": key}):
        response = await kairos.anon.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **header})
        assert response.status_code == 200, response.text
        assert json.loads(response.text)["result"]["serverInfo"]["name"] == "kairos"


async def test_an_admin_session_cookie_does_not_open_it(kairos: Running) -> None:
    async with admin_browser(kairos) as browser:
        assert (await browser.get("/api/users/me")).status_code == 200  # the session works for the API
        response = await browser.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
    assert_error(response, 401, "unauthorized")


async def test_basic_credentials_do_not_open_it(kairos: Running) -> None:
    basic = "Basic " + base64.b64encode(b"admin@kairos.local:admin").decode()
    response = await kairos.anon.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": basic})
    assert_error(response, 401, "unauthorized")


async def test_the_mcp_routes_are_not_in_the_openapi_document(kairos: Running) -> None:
    paths = (await kairos.anon.get("/v3/api-docs")).json()["paths"]
    assert not {"/mcp", "/sse", "/mcp/message"} & set(paths)


async def test_a_foreign_host_is_refused_as_on_every_path(kairos: Running) -> None:
    key = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {key}", "Host": "evil.example"}
    async with httpx.AsyncClient(base_url=kairos.url) as client:
        response = await client.post("/mcp", json=INITIALIZE, headers=headers)
    assert_error(response, 400, "host_not_allowed")


async def test_a_body_over_one_mebibyte_is_refused(kairos: Running) -> None:
    key = await make_key(kairos, "MCP_ACCESS", "ADMIN")
    body = {**INITIALIZE, "params": {**INITIALIZE["params"], "padding": "x" * (1024 * 1024)}}  # type: ignore[dict-item]
    response = await kairos.anon.post("/mcp", json=body, headers={**MCP_HEADERS, "Authorization": f"Bearer {key}"})
    assert response.status_code == 413
