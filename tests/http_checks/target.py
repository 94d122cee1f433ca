"""A loopback HTTP target for the HTTP-check tests: it records what each request carried (method, path, body,
content type) and answers with JSON, redirects, a big body or a slow answer. Real sockets on 127.0.0.1, served
by the standard library's threading server in a background thread."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DOCUMENT = {
    "status": "ok",
    "count": 3,
    "ratio": 0.5,
    "healthy": True,
    "version": "1.2.3",
    "items": [{"name": "alpha", "up": True}, {"name": "beta", "up": False}],
}
BIG_SIZE = 900_000  # under the probe's 1 MiB cap: the whole body is read, and a regex runs over all of it


@dataclass
class Seen:
    method: str
    path: str
    body: bytes
    content_type: str | None
    content_length: str | None


@dataclass
class Target:
    server: ThreadingHTTPServer
    seen: list[Seen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def last(self) -> Seen:
        return self.seen[-1]


def _handler(target: Target) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read ``target.seen``."""

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            target.seen.append(
                Seen(
                    self.command, self.path, body, self.headers.get("Content-Type"), self.headers.get("Content-Length")
                )
            )
            self._route()

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _any

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _route(self) -> None:
            path = self.path.split("?")[0]
            if path == "/json":
                doc = json.dumps(DOCUMENT).encode()
                self._send(200, doc, {"Content-Type": "application/json", "X-Version": "1.2.3"})
            elif path == "/echo":
                seen = target.last()
                echo = {"method": seen.method, "body": seen.body.decode(), "contentType": seen.content_type}
                self._send(200, json.dumps(echo).encode(), {"Content-Type": "application/json"})
            elif path.startswith("/redirect/"):
                self._send(int(path.rsplit("/", 1)[1]), b"", {"Location": "/echo"})
            elif path == "/status/503":
                self._send(503, b"down")
            elif path == "/text":
                self._send(200, b"not json at all", {"Content-Type": "text/plain"})
            elif path == "/big":
                self._send(200, b"a" * BIG_SIZE, {"Content-Type": "text/plain"})
            elif path == "/slow":
                time.sleep(0.3)
                self._send(200, b"late")
            else:
                self._send(200, b"hello", {"Content-Type": "text/plain"})

    return Handler


def start() -> Target:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    target = Target(server)
    server.RequestHandlerClass = _handler(target)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), name="http-checks-target", daemon=True).start()
    return target


def stop(target: Target) -> None:
    target.server.shutdown()
    target.server.server_close()
