#!/usr/bin/env python3
"""A fast HTTP target for the benchmarks: answers every request with 200 and a tiny body.

Runs in its own process so its CPU does not count against what is measured. Records each request's arrival
time (``time.monotonic()``, one clock for every process of the machine) and path; ``GET /__records`` answers
them as ``TIME PATH`` lines (see ``bench/arrivals.py``). Prints "listening on 127.0.0.1:PORT"."""

from __future__ import annotations

import asyncio
import os
import time

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
# With TARGET_JSON=1 (bench/engine.py --assertions) the body is a small JSON health document instead.
if os.environ.get("TARGET_JSON") == "1":
    _DOC = b'{"status":"ok","checks":{"db":{"up":true,"latencyMs":3},"cache":{"up":true}},"version":"1.2.3"}'
    RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: application/json\r\n\r\n%s" % (
        len(_DOC),
        _DOC,
    )
FAILURE = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nContent-Type: text/plain\r\n\r\nfail"
# bench/dashboard.py: paths under /down/ always fail; those under /flip/ fail after ``GET /__fail`` until
# ``GET /__ok`` (a burst of status changes driven through real checks).
FLIPPED = False
RECORDS: list[tuple[float, bytes]] = []
# With TARGET_USER_AGENTS=1 (bench/fleet.py: each location checks with its own User-Agent) each record also
# keeps the request's User-Agent, answered by ``GET /__agents`` as ``TIME PATH AGENT`` lines.
WITH_AGENTS = os.environ.get("TARGET_USER_AGENTS") == "1"
AGENTS: list[bytes] = []


def records_response() -> bytes:
    body = b"".join(b"%.6f %s\n" % (t, path) for t, path in RECORDS)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)
    return head + body


def agents_response() -> bytes:
    body = b"".join(b"%.6f %s %s\n" % (t, path, agent) for (t, path), agent in zip(RECORDS, AGENTS, strict=False))
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)
    return head + body


def _agent(head: bytes) -> bytes:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"user-agent":
            return value.strip().replace(b" ", b"_") or b"-"
    return b"-"


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    global FLIPPED
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            now = time.monotonic()
            parts = head.split(b" ", 2)
            path = parts[1] if len(parts) == 3 else b""
            if path == b"/__records":
                writer.write(records_response())
            elif path == b"/__agents":
                writer.write(agents_response())
            elif path in (b"/__fail", b"/__ok"):
                FLIPPED = path == b"/__fail"
                writer.write(RESPONSE)
            else:
                RECORDS.append((now, path))
                if WITH_AGENTS:
                    AGENTS.append(_agent(head))
                failing = path.startswith(b"/down/") or (FLIPPED and path.startswith(b"/flip/"))
                writer.write(FAILURE if failing else RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
    print(f"listening on 127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main())
