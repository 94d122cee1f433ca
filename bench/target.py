#!/usr/bin/env python3
"""A fast HTTP target for the benchmarks: answers every request with 200 and a tiny body.

Runs in its own process so its CPU does not count against what is measured. Records each request's arrival
time (``time.monotonic()``, one clock for every process of the machine) and path; ``GET /__records`` answers
them as ``TIME PATH`` lines (see ``bench/arrivals.py``). Prints "listening on 127.0.0.1:PORT"."""

from __future__ import annotations

import asyncio
import time

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
RECORDS: list[tuple[float, bytes]] = []


def records_response() -> bytes:
    body = b"".join(b"%.6f %s\n" % (t, path) for t, path in RECORDS)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)
    return head + body


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            now = time.monotonic()
            parts = head.split(b" ", 2)
            path = parts[1] if len(parts) == 3 else b""
            if path == b"/__records":
                writer.write(records_response())
            else:
                RECORDS.append((now, path))
                writer.write(RESPONSE)
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
