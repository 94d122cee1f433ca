#!/usr/bin/env python3
"""A loopback HTTP target for the fleet's fault tests (tests/fleet/test_faults_*.py), in its own process.

It records every request (wall-clock arrival time, method, path, User-Agent, and the first 4 KiB of a body) and
answers 200, except 503 on the monitored paths (``/r/…``) to a User-Agent that contains the "failing" substring
(a webhook delivery to ``/hook`` always gets 200): each location's workers get a
distinct ``KAIROS_USER_AGENT``, so a target can fail "only from one location". Control paths:

- ``GET /__records``: every recorded request as JSON lines (``t``, ``method``, ``path``, ``ua``, ``status``,
  ``body``);
- ``POST /__fail?ua=SUBSTRING``: answer 503 to User-Agents containing SUBSTRING from now on (empty: nobody).

Usage: ``python tests/servers/ua_target.py [FAILING_SUBSTRING]``; prints ``listening on 127.0.0.1:PORT``."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import parse_qs, urlsplit

RECORDS: list[dict[str, object]] = []
FAILING = {"ua": sys.argv[1] if len(sys.argv) > 1 else ""}
MAX_BODY = 4096


def _response(status: int, body: bytes, content_type: str = "text/plain") -> bytes:
    phrase = {200: "OK", 204: "No Content", 503: "Service Unavailable"}[status]
    head = f"HTTP/1.1 {status} {phrase}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def _headers(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = [*lines[0].split(" ", 2), "", ""][:3]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    return method, target, headers


def _answer(method: str, target: str, headers: dict[str, str], body: bytes, now: float) -> bytes:
    url = urlsplit(target)
    if url.path == "/__records":
        lines = "".join(json.dumps(r) + "\n" for r in RECORDS)
        return _response(200, lines.encode(), "application/x-ndjson")
    if url.path == "/__fail":
        FAILING["ua"] = parse_qs(url.query).get("ua", [""])[0]
        return _response(204, b"")
    ua = headers.get("user-agent", "")
    failing = FAILING["ua"]
    status = 503 if failing and failing in ua and url.path.startswith("/r/") else 200
    RECORDS.append(
        {"t": now, "method": method, "path": url.path, "ua": ua, "status": status, "body": body[:MAX_BODY].decode()}
    )
    return _response(status, b"failing for you" if status == 503 else b"ok")


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            now = time.time()  # the clock Kairos stamps checked_at with (same host)
            method, target, headers = _headers(head[:-4])
            length = int(headers.get("content-length", "0") or 0)
            body = await reader.readexactly(length) if length else b""
            writer.write(_answer(method, target, headers, body, now))
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError):
        pass
    finally:
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(f"listening on 127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
