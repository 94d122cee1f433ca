"""A loopback server that speaks the part of JFrog Artifactory that discovery uses.

- ``GET /artifactory/api/docker/{repoKey}/v2/_catalog?n=&last=``: "List Docker Repositories" (names relative to
  the repository, paged with ``n`` and ``last``, no ``Link`` header);
- ``GET /artifactory/api/docker/{repoKey}/v2/{image}/tags/list``: "List Docker Tags";
- ``GET /v2/{repoKey}/{image}/manifests/{tag or digest}`` and ``/blobs/{digest}``: the Docker registry API with
  the repository path method, serving OCI manifests (one tag an index) whose config carries a ``created`` time.

Every request needs HTTP Basic ``USER:PASSWORD``; without it the answer is 401 with a Basic challenge.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

USER, PASSWORD = "jfrog", "artifactory-secret"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
# repoKey -> image -> tag -> created (None: a config without "created")
REPOS: dict[str, dict[str, dict[str, str | None]]] = {
    "docker-local": {
        "app": {
            "1.2.0": "2026-01-01T00:00:00Z",
            "1.10.0": "2025-06-01T00:00:00Z",
            "latest": "2026-02-01T00:00:00Z",
            "2.0.0-rc.1": "2026-03-01T00:00:00Z",
        },
        "team/web": {
            "main": "2026-01-02T10:00:00.123456789Z",
            "feature-x": "2026-03-01T08:30:00.5+01:00",
            "abc123": "2025-12-01T00:00:00Z",
            "broken": None,
        },
        "team/deep/tool": {"v1": "2026-01-01T00:00:00Z"},
        "rc-only": {"3.0.0-beta.2": "2026-01-01T00:00:00Z", "3.0.0-rc.1": "2025-01-01T00:00:00Z"},
    },
    "other-local": {"x": {"1": "2026-01-01T00:00:00Z"}},
}
INDEXED = {("team/web", "main")}  # served as an index of one linux/amd64 manifest


def _digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


@dataclass
class Artifactory:
    url: str
    host: str
    requests: list[str] = field(default_factory=list)
    blobs: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # digest -> (body, media type)
    manifests: dict[tuple[str, str], str] = field(default_factory=dict)  # (repository, tag) -> digest


def _build(art: Artifactory) -> None:
    for key, images in REPOS.items():
        for image, tags in images.items():
            for tag, created in tags.items():
                config = json.dumps({"architecture": "amd64", "os": "linux",
                                     **({"created": created} if created else {})}).encode()  # fmt: skip
                art.blobs[_digest(config)] = (config, "application/vnd.oci.image.config.v1+json")
                manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                                  "digest": _digest(config), "size": len(config)},
                                       "layers": []}).encode()  # fmt: skip
                art.blobs[_digest(manifest)] = (manifest, OCI_MANIFEST)
                top = manifest
                if (image, tag) in INDEXED:
                    top = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
                        {"mediaType": OCI_MANIFEST, "digest": _digest(manifest), "size": len(manifest),
                         "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()  # fmt: skip
                    art.blobs[_digest(top)] = (top, OCI_INDEX)
                art.manifests[(f"{key}/{image}", tag)] = _digest(top)


def _api(art: Artifactory, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
    key, _, rest = path.removeprefix("/artifactory/api/docker/").partition("/v2/")
    images = REPOS.get(unquote(key))
    if images is None:
        return 404, {"errors": [{"status": 404, "message": "Repository not found"}]}
    if rest == "_catalog":
        names = sorted(images)
        last = query.get("last", [""])[0]
        if last:
            names = [n for n in names if n > last]
        n = int(query.get("n", ["0"])[0]) or len(names)
        return 200, {"repositories": names[:n]}
    image = rest.removesuffix("/tags/list")
    if image == rest or image not in images:
        return 404, {"errors": [{"code": "NAME_UNKNOWN", "message": "Repository name not known"}]}
    return 200, {"name": image, "tags": sorted(images[image])}


def _registry(art: Artifactory, path: str) -> tuple[int, bytes, str]:
    repository, _, reference = path.removeprefix("/v2/").rpartition("/")
    repository, _, kind = repository.rpartition("/")
    digest = reference if reference.startswith("sha256:") else art.manifests.get((repository, reference), "")
    body, media = art.blobs.get(digest, (b"", ""))
    if not body or kind not in ("manifests", "blobs"):
        return 404, b'{"errors": [{"code": "MANIFEST_UNKNOWN"}]}', "application/json"
    return 200, body, media


@contextmanager
def artifactory() -> Iterator[Artifactory]:
    art = Artifactory("", "")
    _build(art)
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            art.requests.append(self.path)
            split = urlsplit(self.path)
            if self.headers.get("Authorization") != expected:
                body = b'{"errors": [{"status": 401, "message": "Authentication is required"}]}'
                self._send(401, body, "application/json", {"WWW-Authenticate": 'Basic realm="Artifactory Realm"'})
            elif split.path.startswith("/artifactory/api/docker/"):
                status, data = _api(art, split.path, parse_qs(split.query))
                self._send(status, json.dumps(data).encode(), "application/json")
            elif split.path.startswith("/v2/"):
                status, body, media = _registry(art, split.path)
                headers = {"Docker-Content-Digest": _digest(body)} if status == 200 else {}
                self._send(status, body, media, headers)
            else:
                self._send(404, b"{}", "application/json")

        def _send(self, status: int, body: bytes, media: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    art.host = f"127.0.0.1:{server.server_address[1]}"
    art.url = f"http://{art.host}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield art
    finally:
        server.shutdown()
        server.server_close()
