"""The URLs an OpenShift ``Route``, a Kubernetes ``Ingress`` or a Gateway API ``HTTPRoute`` serves.

Pure functions over the list items of the Kubernetes API (the shapes of the API reference: ``route.openshift.io/v1``,
``networking.k8s.io/v1``, ``gateway.networking.k8s.io/v1``). Each host (and path) becomes one URL:

- **Route**: ``spec.host`` (else the first admitted ``status.ingress[].host``) and ``spec.path``; https when
  ``spec.tls`` is set.
- **Ingress**: each ``spec.rules[].host`` with each of its ``http.paths[].path``; https when the host is among
  ``spec.tls[].hosts`` (a ``*.example.com`` entry covers ``a.example.com``). A rule without a host (every host)
  has nothing to check.
- **HTTPRoute**: each ``spec.hostnames[]`` with each ``PathPrefix``/``Exact`` match of ``spec.rules[].matches``;
  https unless every ``parentRefs[]`` points at port 80 or at a listener whose name says plain ``http``
  (a route does not say whether its Gateway listener is HTTPS).

Wildcard hosts (``*.apps.example.com``) and regular-expression paths are skipped: there is no single URL to
check. The annotation ``kairos.wenisch.tech/scheme: http|https`` overrides the scheme of an object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

SCRAPE = "kairos.wenisch.tech/scrape"  # the Java Kairos' annotation: "true" opts an object in
SCHEME = "kairos.wenisch.tech/scheme"
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
_REGEX_CHARS = frozenset("()[]{}^$|*+?\\")
Json = dict[str, object]


@dataclass(frozen=True, slots=True)
class ObjectKind:
    """One listable kind: its name in the API (``ROUTE``), its list paths and what its items serve."""

    name: str
    group_version: str  # "route.openshift.io/v1"
    plural: str  # "routes"
    urls: Callable[[Json], list[str]]

    def path(self, namespace: str | None) -> str:
        ns = f"/namespaces/{quote(namespace, safe='')}" if namespace else ""
        return f"/apis/{self.group_version}{ns}/{self.plural}"


def _dict(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Json]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def annotations_of(item: Json) -> dict[str, object]:
    return _dict(_dict(item.get("metadata")).get("annotations"))


def wanted(item: Json, annotation_only: bool) -> bool:
    return not annotation_only or annotations_of(item).get(SCRAPE) == "true"


def _host(value: object) -> str | None:
    host = _str(value).lower().rstrip(".")
    return host if host and _HOST.match(host) else None  # "*.apps…" and garbage are skipped


def _path(value: object) -> str | None:
    path = _str(value) or "/"
    path = path.removesuffix("*") if path.endswith("/*") else path  # GKE's "/api/*" is the prefix "/api/"
    if not path.startswith("/") or any(c in _REGEX_CHARS for c in path):
        return None
    return quote(path, safe="/-._~%!&'=:@,;")


def _url(scheme: str, host: str | None, path: str | None) -> list[str]:
    return [f"{scheme}://{host}{path}"] if host and path else []


def _scheme(item: Json, tls: bool) -> str:
    override = _str(annotations_of(item).get(SCHEME)).lower()
    if override in ("http", "https"):
        return override
    return "https" if tls else "http"


def route_urls(item: Json) -> list[str]:
    spec = _dict(item.get("spec"))
    host = spec.get("host") or next((i.get("host") for i in _list(_dict(item.get("status")).get("ingress"))), None)
    return _url(_scheme(item, bool(spec.get("tls"))), _host(host), _path(spec.get("path")))


def _covers(pattern: str, host: str) -> bool:
    pattern = pattern.lower()
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == host


def ingress_urls(item: Json) -> list[str]:
    spec = _dict(item.get("spec"))
    tls_hosts = [h for t in _list(spec.get("tls")) for h in _strings(t.get("hosts"))]
    urls: list[str] = []
    for rule in _list(spec.get("rules")):
        host = _host(rule.get("host"))
        if host is None:
            continue
        scheme = _scheme(item, any(_covers(p, host) for p in tls_hosts))
        paths = _list(_dict(rule.get("http")).get("paths")) or [{}]
        for entry in paths:
            urls += _url(scheme, host, _path(entry.get("path")))
    return urls


def _plain_http(ref: Json) -> bool:
    section = _str(ref.get("sectionName")).lower()
    return ref.get("port") == 80 or (section.startswith("http") and not section.startswith("https"))


def httproute_urls(item: Json) -> list[str]:
    spec = _dict(item.get("spec"))
    parents = _list(spec.get("parentRefs"))
    scheme = _scheme(item, not parents or not all(_plain_http(p) for p in parents))
    paths: list[str | None] = []
    for rule in _list(spec.get("rules")):
        for match in _list(rule.get("matches")) or [{}]:
            path = _dict(match.get("path"))
            kind = _str(path.get("type")) or "PathPrefix"
            paths.append(_path(path.get("value")) if kind in ("PathPrefix", "Exact") else None)
    return [u for h in _strings(spec.get("hostnames")) for p in (paths or ["/"]) for u in _url(scheme, _host(h), p)]


ROUTE = ObjectKind("ROUTE", "route.openshift.io/v1", "routes", route_urls)
INGRESS = ObjectKind("INGRESS", "networking.k8s.io/v1", "ingresses", ingress_urls)
HTTPROUTE = ObjectKind("HTTPROUTE", "gateway.networking.k8s.io/v1", "httproutes", httproute_urls)
KINDS = {k.name: k for k in (ROUTE, INGRESS, HTTPROUTE)}


def kinds_named(names: Iterable[str] | None) -> list[ObjectKind]:
    """The kinds to list, in a fixed order; None or empty: all three."""
    chosen = set(names or KINDS)
    return [k for k in KINDS.values() if k.name in chosen]
