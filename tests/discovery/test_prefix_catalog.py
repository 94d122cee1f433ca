"""A registry that refuses the global catalog but serves ``/v2/<project>/_catalog`` (Harbor, GitLab style).

The front below (a thread on loopback, real HTTP) stands before the real docker-registry of the discovery
fixtures: it refuses ``/v2/_catalog`` (after the registry's own token challenge, when it has one), answers
``/v2/<project>/_catalog`` by filtering the real catalog with ``n``/``last`` paging and ``Link``, and passes
everything else (tags lists, token challenges) through.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from kairos.registry.auth import TokenCache
from kairos.registry.discovery import DiscoveryError, ListOptions, list_images, parse_prefix
from kairos.registry.listing_prefix import full_names, project_catalog_path, project_of
from tests.servers.registry import Registry

_PASSED = ("Accept", "Authorization")
_RETURNED = ("Content-Type", "WWW-Authenticate", "Link")


@dataclass
class Front:
    host: str
    paths: list[str] = field(default_factory=list)


def _upstream(handler: BaseHTTPRequestHandler, url: str) -> tuple[int, bytes, dict[str, str]]:
    headers = {k: v for k in _PASSED if (v := handler.headers.get(k))}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as resp:
            status, body, got = resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as exc:
        status, body, got = exc.code, exc.read(), exc.headers
    return status, body, {k: got[k] for k in _RETURNED if got.get(k)}


def _project_page(names: list[str], query: dict[str, list[str]], path: str) -> tuple[bytes, dict[str, str]]:
    n = int(query.get("n", ["100"])[0])
    last = query.get("last", [""])[0]
    rest = [name for name in names if name > last]
    page, headers = rest[:n], {"Content-Type": "application/json"}
    if len(rest) > n:
        headers["Link"] = f'<{path}?last={page[-1]}&n={n}>; rel="next"'
    return json.dumps({"repositories": page}).encode(), headers


@contextmanager
def project_front(upstream: str, *, relative: bool, refuse: int = 404) -> Iterator[Front]:
    """``relative``: the project catalog names repositories without the project (``app`` for ``team/app``)."""
    front = Front("")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            front.paths.append(self.path)
            split = urlsplit(self.path)
            parts = split.path.split("/")
            if split.path == "/v2/_catalog" or (len(parts) == 4 and parts[3] == "_catalog"):
                status, body, headers = _upstream(self, f"{upstream}/v2/_catalog?n=1000")
                if status == 200 and split.path == "/v2/_catalog":
                    status, body, headers = refuse, b'{"errors":[{"code":"DENIED"}]}', {}
                elif status == 200:
                    body, headers = self._project(parts[2], body, parse_qs(split.query), split.path)
            else:
                status, body, headers = _upstream(self, upstream + self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _project(
            self, project: str, body: bytes, query: dict[str, list[str]], path: str
        ) -> tuple[bytes, dict[str, str]]:
            names = [r for r in json.loads(body)["repositories"] if r.startswith(f"{project}/")]
            if relative:
                names = [r.removeprefix(f"{project}/") for r in names]
            return _project_page(names, query, path)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    front.host = f"127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield front
    finally:
        server.shutdown()
        server.server_close()


def options(host: str, prefix: str, **kw: object) -> ListOptions:
    return ListOptions(prefix=parse_prefix(f"{host}/{prefix}"), insecure_http=True, **kw)  # type: ignore[arg-type]


TEAM = ["team/a/b/deep:v1", "team/app:rc1", "team/app:v1", "team/app:v2", "team/tool:v1"]


@pytest.mark.parametrize("relative", [False, True])
async def test_the_project_catalog_is_paged_when_the_global_one_is_refused(
    discovery_registry: Registry, relative: bool
) -> None:
    with project_front(discovery_registry.url, relative=relative) as front:
        found = await list_images(options(front.host, "team", recursive=True, page_size=1))
        assert found == [f"{front.host}/{t}" for t in TEAM]
        assert front.paths[0] == "/v2/_catalog?n=1"
        assert sum(p.startswith("/v2/team/_catalog") for p in front.paths) == 3  # three names, one per page
        flat = await list_images(options(front.host, "team"))
        assert not any("/deep" in t for t in flat) and f"{front.host}/team/tool:v1" in flat


async def test_a_refused_catalog_without_a_project_or_for_an_unknown_one_is_an_error(
    discovery_registry: Registry, discovery_token_registry: Registry
) -> None:
    with project_front(discovery_registry.url, relative=False, refuse=403) as front:
        with pytest.raises(DiscoveryError, match=r"^catalog: HTTP 403 \(credentials wrong or missing\)$"):
            await list_images(options(front.host, ""))
        assert (await list_images(options(front.host, "nope"))) == []  # the project exists but is empty
    with pytest.raises(DiscoveryError, match=r"catalog: HTTP 401.*; catalog of private: HTTP 404"):
        # the real token registry: anonymous callers get no catalog access, and it has no project catalog
        await list_images(options(discovery_token_registry.host, "private"), TokenCache())


async def test_a_catalog_forbidden_after_token_auth_falls_back_with_the_same_token(
    discovery_token_registry: Registry,
) -> None:
    cache = TokenCache()
    with project_front(discovery_token_registry.url, relative=True, refuse=403) as front:
        opts = options(front.host, "private", recursive=True, credential=("alice", "s3cret"))
        found = await list_images(opts, cache)
    assert found == [f"{front.host}/private/app:v1", f"{front.host}/private/x/y:v1"]
    assert [p for p in front.paths if "_catalog" in p] == [
        "/v2/_catalog?n=100",  # challenge
        "/v2/_catalog?n=100",  # forbidden with the catalog token
        "/v2/private/_catalog?n=100",  # same scope: the cached token is sent at once
    ]


def test_project_helpers() -> None:
    assert project_of("team/sub") == "team" and project_of("") is None
    assert project_catalog_path("team", 5) == "/v2/team/_catalog?n=5"
    assert full_names("team", ["app", "team/x", "teamy"]) == ["team/app", "team/x", "team/teamy"]
