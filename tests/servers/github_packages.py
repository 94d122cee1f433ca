"""A loopback server that speaks the part of the GitHub REST API that lists container packages.

Routes: ``GET /orgs|users/{owner}/packages?package_type=container&per_page&page`` and
``GET /orgs|users/{owner}/packages/container/{name}/versions?per_page&page``. The organisation route answers
404 for a user and the user route 404 for an organisation, as GitHub does. Pages honour ``per_page`` and carry
absolute ``Link`` headers (``next``, ``last``). A package name with a slash must arrive as one ``%2F``-encoded
path segment. Every request needs ``Authorization: Bearer <TOKEN>``. ``faults`` makes chosen paths misbehave.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "ghp_kairos_test_token"
# owner -> (kind, {package: [tags of each version]}); an empty version is an untagged digest.
OWNERS: dict[str, tuple[str, dict[str, list[list[str]]]]] = {
    "acme": (
        "orgs",
        {
            "app": [["v1"], ["v2", "latest"], [], ["rc1"]],
            "team/tool": [["v1"]],
            "team/a/deep": [["v1"]],
            "lib": [[f"1.{i}"] for i in range(5)],
        },
    ),
    "alice": ("users", {"solo": [["v1"]], "tools/cli": [["v3"]]}),
}


@dataclass
class GithubApi:
    url: str
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (raw path, Authorization)
    faults: dict[str, tuple[int, bytes, dict[str, str]]] = field(default_factory=dict)  # path prefix -> answer


def _page(items: list[object], query: dict[str, list[str]], base: str, path: str) -> tuple[list[object], str | None]:
    per_page = min(int(query.get("per_page", ["30"])[0]), 100)
    page = int(query.get("page", ["1"])[0])
    chunk = items[(page - 1) * per_page : page * per_page]
    last = max(1, -(-len(items) // per_page))
    rest = "&".join(f"{k}={v[0]}" for k, v in sorted(query.items()) if k != "page")
    links = [f'<{base}{path}?{rest}&page={last}>; rel="last"']
    if page < last:
        links.insert(0, f'<{base}{path}?{rest}&page={page + 1}>; rel="next"')
    return chunk, ", ".join(links)


def _route(raw_path: str) -> tuple[str, str, str | None] | None:
    """(kind, owner, package or None) of a known route, the package name decoded from its one segment."""
    parts = raw_path.split("/")
    if len(parts) == 4 and parts[0] == "" and parts[3] == "packages":
        return parts[1], parts[2], None
    if len(parts) == 7 and parts[3:5] == ["packages", "container"] and parts[6] == "versions":
        return parts[1], parts[2], unquote(parts[5])
    return None


def _answer(api: GithubApi, raw: str) -> tuple[int, object, str | None]:
    split = urlsplit(raw)
    query = parse_qs(split.query)
    route = _route(split.path)
    if route is None:
        return 404, {"message": "Not Found"}, None
    kind, owner, package = route
    found_kind, packages = OWNERS.get(owner, ("", {}))
    if kind != found_kind:
        return 404, {"message": "Not Found"}, None
    if package is None:
        if query.get("package_type") != ["container"]:
            return 400, {"message": "package_type is required"}, None
        items: list[object] = [{"id": i, "name": n, "package_type": "container"} for i, n in enumerate(packages)]
    elif package in packages:
        items = [
            {"id": i, "name": f"sha256:{i:064x}", "metadata": {"package_type": "container", "container": {"tags": t}}}
            for i, t in enumerate(packages[package])
        ]
    else:
        return 404, {"message": "Package not found."}, None
    body, link = _page(items, query, api.url, split.path)
    return 200, body, link


@contextmanager
def github_packages_api() -> Iterator[GithubApi]:
    api = GithubApi("")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            api.requests.append((self.path, self.headers.get("Authorization")))
            fault = next((v for k, v in api.faults.items() if self.path.startswith(k)), None)
            if fault is not None:
                self._send(*fault)
            elif self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, json.dumps({"message": "Bad credentials"}).encode(), {})
            else:
                status, body, link = _answer(api, self.path)
                self._send(status, json.dumps(body).encode(), {"Link": link} if link else {})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
