"""Issue 11, HTTP kind: a target's odd charset, header values that cannot be sent, and headers that must not
follow a redirect to another origin. Loopback servers only."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from kairos.probes.base import Kind, ProbeContext, Status
from kairos.probes.kinds import parse_config, run_probe
from tests.api.support import assert_error
from tests.harness import Running
from tests.net.listener import listening


@contextlib.asynccontextmanager
async def charset_server(charset: str) -> AsyncIterator[str]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = "all good: grüß".encode()
        writer.write(
            f"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset={charset}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"


async def test_a_non_text_charset_does_not_make_the_check_unknown() -> None:
    config = parse_config(Kind.HTTP, {"bodyContains": "all good"})
    for charset in ("idna", "base64", "rot13"):
        async with charset_server(charset) as url:
            result = await run_probe(Kind.HTTP, config, ProbeContext(target=url, timeout_s=5))
        assert (result.status, result.error_code) == (Status.AVAILABLE, None), (charset, result.message)


async def test_resource_headers_stay_on_their_origin_unless_the_resource_opts_in() -> None:
    async with listening() as other, listening(location=other.url + "elsewhere") as first:
        headers = {"X-Api-Token": "s3cret"}
        config = parse_config(Kind.HTTP, {"headers": headers})
        result = await run_probe(Kind.HTTP, config, ProbeContext(target=first.url, timeout_s=5))
        assert result.status is Status.AVAILABLE and result.details["redirects"] == 1
        assert first.seen_headers[-1]["x-api-token"] == "s3cret"
        assert "x-api-token" not in other.seen_headers[-1]
        config = parse_config(Kind.HTTP, {"headers": headers, "forwardHeadersOnRedirect": True})
        await run_probe(Kind.HTTP, config, ProbeContext(target=first.url, timeout_s=5))
        assert other.seen_headers[-1]["x-api-token"] == "s3cret"


async def test_header_values_that_cannot_be_sent_are_refused_on_save(kairos: Running) -> None:
    for value in ("ü", "a\vb", "line\nbreak", "x" * 8193):
        body = {
            "name": "h",
            "resourceType": "HTTP",
            "target": "http://127.0.0.1:9/",
            "options": {"headers": {"X-A": value}},
        }
        error = assert_error(await kairos.client.post("/api/resources", json=body), 422, "validation_error")
        assert error["field"] == "options.headers.X-A", error
        assert value not in error["message"]  # values are often tokens: never echoed
    body = {"name": "h", "resourceType": "HTTP", "target": "http://127.0.0.1:9/", "options": {"headers": {"X A": "v"}}}
    error = assert_error(await kairos.client.post("/api/resources", json=body), 422, "validation_error")
    assert error["field"].startswith("options.headers.X A"), error
    ok = {
        "name": "h",
        "resourceType": "HTTP",
        "target": "http://127.0.0.1:9/",
        "options": {"headers": {"X-A": "v 1\t2"}},
    }
    assert (await kairos.client.post("/api/resources", json=ok)).status_code == 201
