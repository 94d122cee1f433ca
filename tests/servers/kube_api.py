"""A loopback server that speaks the list endpoints of the Kubernetes API for Routes, Ingresses and HTTPRoutes.

Routes: ``GET /apis/{group}/{version}/{plural}`` and ``GET /apis/{group}/{version}/namespaces/{ns}/{plural}``
with ``limit`` and ``continue``, answering ``{kind}List`` objects whose items have the shapes of the API
reference (``route.openshift.io/v1`` Route, ``networking.k8s.io/v1`` Ingress, ``gateway.networking.k8s.io/v1``
HTTPRoute). A group in ``absent`` answers 404 (the API is not installed), a wrong or missing token 401 with a
``Status`` body, ``forbidden`` plurals 403. ``faults`` makes chosen paths misbehave. Optionally over TLS.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = "kube-test-token"
API = {"routes": "route.openshift.io/v1", "ingresses": "networking.k8s.io/v1",
       "httproutes": "gateway.networking.k8s.io/v1"}  # fmt: skip
LIST_KIND = {"routes": "RouteList", "ingresses": "IngressList", "httproutes": "HTTPRouteList"}
SCRAPE = {"kairos.wenisch.tech/scrape": "true"}


def meta(name: str, namespace: str, annotations: dict[str, str] | None = None) -> dict[str, object]:
    return {"name": name, "namespace": namespace, "uid": f"uid-{namespace}-{name}", "resourceVersion": "1",
            **({"annotations": annotations} if annotations else {})}  # fmt: skip


def route(name: str, ns: str, host: str, path: str = "", tls: bool = False, **annotations: str) -> dict[str, object]:
    spec: dict[str, object] = {"host": host, "to": {"kind": "Service", "name": name, "weight": 100},
                               "port": {"targetPort": "http"}, "wildcardPolicy": "None"}  # fmt: skip
    if path:
        spec["path"] = path
    if tls:
        spec["tls"] = {"termination": "edge", "insecureEdgeTerminationPolicy": "Redirect"}
    status = {"ingress": [{"host": host, "routerName": "default", "conditions": [{"type": "Admitted"}]}]}
    return {"metadata": meta(name, ns, dict(annotations) or None), "spec": spec, "status": status}


def ingress(name: str, ns: str, rules: list[tuple[str, list[str]]], tls_hosts: list[str] | None = None,
            annotations: dict[str, str] | None = None) -> dict[str, object]:  # fmt: skip
    spec: dict[str, object] = {
        "ingressClassName": "nginx",
        "rules": [
            {
                "host": host,
                "http": {
                    "paths": [
                        {
                            "path": p,
                            "pathType": "Prefix",
                            "backend": {"service": {"name": name, "port": {"number": 80}}},
                        }
                        for p in paths
                    ]
                },
            }
            for host, paths in rules
        ],
    }
    if tls_hosts:
        spec["tls"] = [{"hosts": tls_hosts, "secretName": f"{name}-tls"}]
    return {"metadata": meta(name, ns, annotations), "spec": spec, "status": {"loadBalancer": {}}}


def httproute(name: str, ns: str, hostnames: list[str], paths: list[str], port: int | None = None) -> dict[str, object]:
    parent: dict[str, object] = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw"}
    if port is not None:
        parent["port"] = port
    rules = [{"matches": [{"path": {"type": "PathPrefix", "value": p}}],
              "backendRefs": [{"name": name, "port": 8080}]} for p in paths]  # fmt: skip
    return {"metadata": meta(name, ns), "spec": {"parentRefs": [parent], "hostnames": hostnames, "rules": rules}}


@dataclass
class KubeApi:
    url: str
    objects: dict[str, list[dict[str, object]]] = field(default_factory=dict)  # plural -> items
    absent: set[str] = field(default_factory=set)  # plurals whose API group is not installed
    forbidden: set[str] = field(default_factory=set)
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (raw path, Authorization)
    faults: dict[str, tuple[int, bytes, dict[str, str]]] = field(default_factory=dict)  # path prefix -> answer
    token: str = TOKEN


def _status(code: int, reason: str, message: str) -> dict[str, object]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}  # fmt: skip


def _answer(api: KubeApi, raw: str) -> tuple[int, object]:
    split = urlsplit(raw)
    parts = split.path.strip("/").split("/")
    namespace = None
    if len(parts) == 6 and parts[3] == "namespaces":
        namespace, parts = parts[4], parts[:3] + parts[5:]
    if len(parts) != 4 or parts[0] != "apis" or API.get(parts[3]) != f"{parts[1]}/{parts[2]}":
        return 404, _status(404, "NotFound", "the server could not find the requested resource")
    plural = parts[3]
    if plural in api.absent:
        return 404, _status(404, "NotFound", "the server could not find the requested resource")
    if plural in api.forbidden:
        group = API[plural].split("/")[0]
        message = (f'{plural}.{group} is forbidden: User "system:serviceaccount:kairos:kairos" cannot list '
                   f'resource "{plural}" in API group "{group}" at the cluster scope')  # fmt: skip
        return 403, _status(403, "Forbidden", message)
    items = [i for i in api.objects.get(plural, []) if namespace is None or i["metadata"]["namespace"] == namespace]  # type: ignore[index]
    query = parse_qs(split.query)
    limit = int(query.get("limit", ["0"])[0]) or len(items) or 1
    start = int(base64.b64decode(query["continue"][0]).decode()) if "continue" in query else 0
    page = items[start : start + limit]
    more = start + limit < len(items)
    metadata = {"resourceVersion": "42", **({"continue": base64.b64encode(str(start + limit).encode()).decode()}
                                            if more else {})}  # fmt: skip
    return 200, {"kind": LIST_KIND[plural], "apiVersion": API[plural], "metadata": metadata, "items": page}


@contextmanager
def kube_api(tls: tuple[str, str] | None = None) -> Iterator[KubeApi]:
    """``tls``: (certificate file, key file) to serve HTTPS with."""
    api = KubeApi("")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            api.requests.append((self.path, self.headers.get("Authorization")))
            fault = next((v for k, v in api.faults.items() if self.path.startswith(k)), None)
            if fault is not None:
                self._send(*fault)
            elif self.headers.get("Authorization") != f"Bearer {api.token}":
                self._send(401, json.dumps(_status(401, "Unauthorized", "Unauthorized")).encode(), {})
            else:
                status, body = _answer(api, self.path)
                self._send(status, json.dumps(body).encode(), {})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    api.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
