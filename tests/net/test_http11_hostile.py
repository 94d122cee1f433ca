"""The response parser (httptools) against servers that answer oddly or with hostility, on loopback.

Each server here reads one request head, then writes exactly the bytes a test gives it (in pieces, with
pauses) and closes or keeps the connection open."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from kairos import net
from kairos.net import FetchResult, Session, fetch
from kairos.net.policy import parse_http_url
from kairos.net.timing import Trace

Script = Sequence[bytes | float]  # bytes are written, a float is a pause in seconds


@dataclass
class Scripted:
    """A loopback server that plays ``script`` for every request; ``then_close`` ends the connection after it."""

    script: Script
    then_close: bool = True
    port: int = 0
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                self.requests.append(await reader.readuntil(b"\r\n\r\n"))
                for step in self.script:
                    if isinstance(step, float):
                        await asyncio.sleep(step)
                    else:
                        writer.write(step)
                        await writer.drain()
                if self.then_close:
                    break
        writer.close()


@contextlib.asynccontextmanager
async def scripted(*script: bytes | float, then_close: bool = True) -> AsyncIterator[Scripted]:
    server = Scripted(script, then_close)
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield server


async def get(url: str, **options: Any) -> FetchResult:
    params: dict[str, Any] = {"timeout_s": 2.0, "max_body_bytes": 1_000_000, "user_agent": "Kairos-Test/1"}
    return await fetch(url, **(params | options))


async def test_it_reads_a_chunked_body_with_extensions_and_trailers_in_pieces() -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    async with scripted(head, b"5;ext=1\r\nhel", 0.01, b"lo\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n") as srv:
        result = await get(srv.url)
    assert (result.status, result.body, result.truncated) == (200, b"hello world", False)


async def test_it_caps_a_chunked_body() -> None:
    async with scripted(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"a\r\n0123456789\r\n" * 50) as srv:
        result = await get(srv.url, max_body_bytes=25)
    assert (result.body, result.truncated) == (b"0123456789" * 2 + b"01234", True)


async def test_it_reports_a_body_shorter_than_its_content_length() -> None:
    async with scripted(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort") as srv:
        with pytest.raises(net.ConnectionReset, match="before the response was complete") as caught:
            await get(srv.url)
    assert caught.value.code == "connection_reset"


async def test_it_reports_a_cut_chunked_body() -> None:
    async with scripted(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel") as srv:
        with pytest.raises(net.ConnectionReset, match="before the response was complete"):
            await get(srv.url)


async def test_it_keeps_only_content_length_bytes_and_never_reuses_a_connection_that_said_more() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"
    async with scripted(answer, then_close=False) as srv, Session(user_agent="t", max_body_bytes=1000) as session:
        first = await session.fetch(srv.url, timeout_s=2)
        second = await session.fetch(srv.url, timeout_s=2)
    assert first.body == second.body == b"ok"
    assert srv.connections == 2


async def test_it_refuses_conflicting_content_lengths() -> None:
    async with scripted(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!") as srv:
        with pytest.raises(net.ProtocolError) as caught:
            await get(srv.url)
    assert caught.value.code == "protocol_error" and "HTTP/1.1 200 OK" in caught.value.message


async def test_it_refuses_headers_without_end_past_64_kb() -> None:
    endless = b"X-Pad: " + b"a" * 1000 + b"\r\n"
    async with scripted(b"HTTP/1.1 200 OK\r\n", *([endless] * 80), 1.0) as srv:
        with pytest.raises(net.ProtocolError, match="longer than 64 KB"):
            await get(srv.url)


async def test_it_refuses_endless_informational_answers() -> None:
    async with scripted(*([b"HTTP/1.1 100 Continue\r\n\r\n"] * 4000), 1.0) as srv:
        with pytest.raises(net.ProtocolError, match="longer than 64 KB"):
            await get(srv.url)


async def test_it_gives_up_on_a_body_that_never_comes() -> None:
    async with scripted(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 5.0) as srv:
        with pytest.raises(net.Timeout, match="reading the response") as caught:
            await get(srv.url, timeout_s=0.3)
    assert caught.value.code == "timeout"


@pytest.mark.parametrize(
    "status_line",
    [b"HTTP/1.1 OK 200\r\n", b"HTTP/2 200 OK\r\n", b"HTTP/1.1 2000 OK\r\n", b"ICY 200 OK\r\n", b"HTTP/1.1  200\r\n"],
)
async def test_it_reports_a_bad_status_line_as_a_protocol_error(status_line: bytes) -> None:
    async with scripted(status_line + b"Content-Length: 0\r\n\r\n") as srv:
        with pytest.raises(net.ProtocolError) as caught:
            await get(srv.url)
    assert "\n" not in caught.value.message and status_line[:8].decode() in caught.value.message


async def test_it_reads_an_http_1_0_body_that_runs_to_the_close() -> None:
    async with scripted(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n", b"first ", 0.01, b"second") as srv:
        result = await get(srv.url)
    assert (result.status, result.http_version, result.body) == (200, "1.0", b"first second")


async def test_it_skips_informational_answers_before_the_real_one() -> None:
    script = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", 0.01)
    async with scripted(*script, b"HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone") as srv:
        result = await get(srv.url)
    assert (result.status, result.reason, result.body) == (201, "Created", b"done")
    assert result.header("link") is None  # the 103's headers are not the answer's


async def test_it_refuses_a_protocol_switch_nobody_asked_for() -> None:
    answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    async with scripted(answer) as srv:
        with pytest.raises(net.ProtocolError, match="switched protocols"):
            await get(srv.url)


async def test_it_does_not_reuse_a_connection_the_server_closes() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    async with scripted(answer, then_close=False) as srv, Session(user_agent="t", max_body_bytes=1000) as session:
        await session.fetch(srv.url, timeout_s=2)
        again = await session.fetch(srv.url, timeout_s=2)
    assert again.phases.connect_ms is not None and srv.connections == 2


async def test_a_head_answer_ends_at_its_headers_whatever_its_content_length() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nDocker-Content-Digest: sha256:ab\r\n\r\n"
    async with scripted(answer, then_close=False) as srv, Session(user_agent="t", max_body_bytes=1000) as session:
        first = await session.fetch(srv.url, method="HEAD", timeout_s=1)
        second = await session.fetch(srv.url, method="HEAD", timeout_s=1)
    assert (first.status, first.body, first.header("docker-content-digest")) == (200, b"", "sha256:ab")
    assert second.phases.connect_ms is None and srv.connections == 1  # kept alive


async def test_it_takes_bare_line_feeds_and_a_missing_reason() -> None:
    async with scripted(b"HTTP/1.1 204\nX-A: 1\n\n") as srv:
        result = await get(srv.url)
    assert (result.status, result.reason, result.header("x-a")) == (204, "", "1")


async def test_it_assembles_a_response_sent_one_byte_at_a_time() -> None:
    answer = b"HTTP/1.1 200 Fine Thanks\r\nX-Long-Header: value\r\nContent-Length: 3\r\n\r\nyes"
    async with scripted(*(bytes([b]) for b in answer)) as srv:
        result = await get(srv.url)
    assert (result.reason, result.header("x-long-header"), result.body) == ("Fine Thanks", "value", b"yes")


async def test_it_refuses_a_header_value_with_a_line_break_before_connecting() -> None:
    async with scripted(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") as srv:
        for value in ("a\r\nX-Injected: 1", "ü", "nul\x00"):
            with pytest.raises(ValueError, match=r"not allowed in HTTP/1\.1") as caught:
                await get(srv.url, headers={"X-A": value})
            assert value not in str(caught.value)
        assert srv.connections == 0  # refused before any packet


async def test_a_large_request_body_goes_out_whole_to_a_slow_reader() -> None:
    payload = bytes(range(256)) * 16384  # 4 MB: more than the socket buffers, so writing must wait
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await asyncio.sleep(0.05)  # let the client's buffers fill up first
        received.append(await reader.readexactly(length))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/upload"
    async with server, Session(user_agent="t", max_body_bytes=100, keep_alive=False) as session:
        async with asyncio.timeout(5):
            response, _ip = await session.request("POST", parse_http_url(url), [], trace=Trace(), body=payload)
    assert response.status == 200 and received == [payload]


async def test_a_body_larger_than_the_read_buffer_arrives_whole() -> None:
    body = b"0123456789abcdef" * 200_000  # 3.2 MB: reading pauses and resumes many times
    async with scripted(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body), body) as srv:
        result = await get(srv.url, max_body_bytes=4_000_000)
    assert (len(result.body), result.body == body, result.truncated) == (len(body), True, False)
