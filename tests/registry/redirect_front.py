"""A front for the real no-auth registry that behaves like registries backed by S3 or GCS.

The filesystem driver never redirects, so this thin front (in a thread, on loopback) asks for Basic
credentials, passes manifest requests through to the real registry, and answers blob requests with a 307
to a "storage" origin on another port. The storage origin records the Authorization headers it receives
and serves the real blob bytes from the registry, Range included.
"""

from __future__ import annotations

import base64
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDENTIALS = "Basic " + base64.b64encode(b"alice:s3cret").decode()
_PASSED_HEADERS = ("Accept", "Range")


@dataclass
class Front:
    url: str
    host: str
    storage_authorizations: list[str | None] = field(default_factory=list)


def _relay(handler: BaseHTTPRequestHandler, url: str) -> None:
    headers = {k: v for k in _PASSED_HEADERS if (v := handler.headers.get(k))}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as resp:
            status, body, reply_headers = resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as exc:
        status, body, reply_headers = exc.code, exc.read(), exc.headers
    handler.send_response(status)
    for name in ("Content-Type", "Docker-Content-Digest", "Content-Range"):
        if reply_headers.get(name):
            handler.send_header(name, reply_headers[name])
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def redirect_front(registry_url: str) -> Iterator[Front]:
    seen: list[str | None] = []

    class Storage(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            _relay(self, registry_url + self.path)  # the path is the registry's own blob path

    storage = ThreadingHTTPServer(("127.0.0.1", 0), Storage)
    storage_url = f"http://127.0.0.1:{storage.server_address[1]}"

    class Registry(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.headers.get("Authorization") != CREDENTIALS:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="front"')
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif "/blobs/" in self.path:
                self.send_response(307)
                self.send_header("Location", storage_url + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                _relay(self, registry_url + self.path)

    front = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (storage, front)]
    for t in threads:
        t.start()
    host = f"127.0.0.1:{front.server_address[1]}"
    try:
        yield Front(f"http://{host}", host, seen)
    finally:
        for s in (front, storage):
            s.shutdown()
            s.server_close()
