"""Security headers on every kind of response: pages, API answers, errors, static files, embeds, the SSE
stream, the API docs; HSTS only for HTTPS as seen through a trusted proxy."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from kairos.web.security import frame_ancestors
from tests.api.loopback import Target, target
from tests.api.support import create_resource
from tests.harness import Running, make_settings, running_kairos

__all__ = ["target"]

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def csp(response: httpx.Response) -> dict[str, str]:
    """The policy as {directive: sources}."""
    parts = (p.strip().partition(" ") for p in response.headers["content-security-policy"].split(";"))
    return {name: value for name, _, value in parts}


def assert_common(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    assert "strict-transport-security" not in response.headers  # plain HTTP


def assert_not_framable(response: httpx.Response) -> None:
    assert_common(response)
    assert response.headers["content-security-policy"] == STRICT_CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"


async def test_a_page_gets_the_strict_policy_and_may_not_be_framed(kairos: Running) -> None:
    r = await kairos.anon.get("/")
    assert r.status_code == 200
    assert_not_framable(r)
    assert "unsafe-inline" not in r.headers["content-security-policy"]


async def test_an_api_answer_gets_the_headers_too(kairos: Running) -> None:
    r = await kairos.client.get("/api/resources")
    assert r.status_code == 200
    assert_not_framable(r)


async def test_error_pages_and_api_errors_get_the_headers(kairos: Running) -> None:
    page = await kairos.anon.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert_not_framable(page)
    api = await kairos.anon.get("/api/resources/999999")
    assert api.status_code == 404
    assert_not_framable(api)
    refused = await kairos.anon.post("/api/resources", json={})
    assert refused.status_code == 401
    assert_not_framable(refused)


async def test_an_unexpected_failure_still_carries_the_headers(kairos: Running) -> None:
    async def boom() -> None:
        raise RuntimeError("test failure")

    kairos.app.add_api_route("/api/test-boom", boom)
    r = await kairos.anon.get("/api/test-boom")
    assert r.status_code == 500
    assert_not_framable(r)


async def test_a_static_file_gets_the_headers(kairos: Running) -> None:
    r = await kairos.anon.get("/static/js/kairos.js")
    assert r.status_code == 200
    assert_not_framable(r)
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_embeds_and_badges_may_be_framed_by_the_configured_sites(kairos: Running, target: Target) -> None:
    rid = (await create_resource(kairos, target.url("/"), name="shop"))["id"]
    for path in (f"/embed/resources/{rid}", f"/badges/resources/{rid}.svg"):
        r = await kairos.anon.get(path)
        assert r.status_code == 200, path
        assert_common(r)
        assert csp(r)["frame-ancestors"] == "*"  # the default of KAIROS_EMBED_FRAME_ANCESTORS
        assert csp(r)["script-src"] == "'self'"
        assert "x-frame-options" not in r.headers


async def test_embed_frame_ancestors_come_from_the_setting(db_url: str, tmp_path: Path, target: Target) -> None:
    settings = make_settings(db_url, tmp_path, embed_frame_ancestors="https://intranet.example, 'self'")
    async with running_kairos(settings) as kairos:
        rid = (await create_resource(kairos, target.url("/"), name="shop"))["id"]
        embed = await kairos.anon.get(f"/embed/resources/{rid}")
        page = await kairos.anon.get(f"/resources/{rid}")
    assert csp(embed)["frame-ancestors"] == "https://intranet.example 'self'"
    assert csp(page)["frame-ancestors"] == "'none'"


def test_a_frame_ancestors_value_cannot_add_a_directive() -> None:
    assert frame_ancestors("https://a.example; script-src *") == "'none'"
    assert frame_ancestors("https://*.example.com:443 http:") == "https://*.example.com:443 http:"
    assert frame_ancestors(" , ") == "'none'"


async def test_the_api_docs_run_without_inline_script(kairos: Running) -> None:
    swagger = await kairos.anon.get("/api")
    assert swagger.status_code == 200 and "swagger-ui-bundle.js" in swagger.text
    assert csp(swagger)["script-src"] == "'self'" and csp(swagger)["style-src"] == "'self'"
    # Every <script> is either a file or a JSON data block.
    assert swagger.text.count("<script") == swagger.text.count("<script src=") + 1
    assert 'type="application/json" id="swagger-config"' in swagger.text
    # ReDoc writes <style> elements at run time: only its page allows inline styles, never inline scripts.
    redoc = await kairos.anon.get("/api/redoc")
    assert csp(redoc)["style-src"] == "'self' 'unsafe-inline'" and csp(redoc)["script-src"] == "'self'"
    redirect = await kairos.anon.get("/api/oauth2-redirect")
    assert redirect.status_code == 200 and "<script src=" in redirect.text and "<script>" not in redirect.text
    assert csp(redirect)["script-src"] == "'self'"
    for path in ("/static-offline-docs/swagger-ui-bundle.js", "/static-offline-docs/redoc.standalone.js"):
        assert (await kairos.anon.get(path)).status_code == 200


async def test_the_event_stream_still_streams_with_the_headers(kairos: Running, target: Target) -> None:
    async with kairos.anon.stream("GET", "/api/resources/stream") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert_not_framable(response)
        lines = response.aiter_lines()
        assert await asyncio.wait_for(anext(lines), 5) == "retry: 3000"
        created = await create_resource(kairos, target.url("/"), name="live")

        async def status_event() -> str:
            async for line in lines:
                if line.startswith("data:") and f'"resourceId":{created["id"]}' in line.replace(" ", ""):
                    return line
            raise AssertionError("the stream ended")

        assert await asyncio.wait_for(status_event(), 10)


async def test_hsts_only_when_a_trusted_proxy_says_https(kairos: Running) -> None:
    # The test server trusts its own loopback address as a proxy (uvicorn's default, like the setting's).
    over_https = await kairos.anon.get("/", headers={"X-Forwarded-Proto": "https"})
    assert over_https.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    api = await kairos.anon.get("/api/resources", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" in api.headers
    plain = await kairos.anon.get("/")
    assert "strict-transport-security" not in plain.headers


async def test_no_hsts_when_the_forwarded_header_comes_from_an_untrusted_address(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.1")  # what `kairos serve` passes from the setting
    async with running_kairos(make_settings(db_url, tmp_path)) as kairos:
        r = await kairos.anon.get("/", headers={"X-Forwarded-Proto": "https"})
    assert r.status_code == 200
    assert "strict-transport-security" not in r.headers
