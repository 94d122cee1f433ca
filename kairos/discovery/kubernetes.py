"""Listing a Kubernetes or OpenShift cluster's Routes, Ingresses and HTTPRoutes through its API.

The cluster is the one at ``api_url`` with a bearer token, or, without a URL, the one Kairos runs in: its
service account (``KUBERNETES_SERVICE_HOST``/``_PORT``, the token and ``ca.crt`` below
``/var/run/secrets/kubernetes.io/serviceaccount``, read again at every sync since projected tokens rotate).
That token is only ever sent to the in-cluster API address, never to a URL someone typed.

Lists are paged with ``limit`` and ``continue``; a kind whose API answers 404 is absent from the cluster and
skipped. Any other failure (401/403, unreachable, a body that is not a list, more than :data:`MAX_URLS` URLs)
fails the whole listing with a :class:`DiscoveryError` whose message is stored on the source: a partial listing
must not archive what it missed. Redirects are not followed (the token stays with the API). Requests go through
:mod:`kairos.net` with the operator's target policy (denied networks and proxy rules) for a typed API URL; the
in-cluster address is exempt from the denied networks only.
"""

from __future__ import annotations

import json
import os
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

from kairos import net
from kairos.discovery.kube_objects import Json, ObjectKind, kinds_named, wanted
from kairos.registry.listing_options import LIST_BODY_LIMIT, MAX_PAGES, DiscoveryError

SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
SERVICE_ACCOUNT_ENV = "KAIROS_KUBERNETES_SERVICE_ACCOUNT_DIR"  # tests point in-cluster mode at a folder
PAGE_SIZE = 250
MAX_URLS = 10_000
_MAX_FILE = 1024 * 1024
_STATUS_HINTS = {
    401: "the token is not valid (wrong, expired or revoked)",
    403: "the token may not list them: grant list on this resource, or leave the kind out",
    410: "the list changed while it was paged; the next sync starts over",
}


@dataclass(frozen=True, slots=True)
class KubeOptions:
    api_url: str | None = None  # None: in-cluster
    token: str | None = None
    ca_pem: str | None = None
    skip_tls: bool = False
    namespaces: tuple[str, ...] = ()  # empty: every namespace
    annotation_only: bool = False
    kinds: tuple[str, ...] = ()  # ROUTE, INGRESS, HTTPROUTE; empty: all three
    user_agent: str = "Kairos-Monitor"
    policy: net.TargetPolicy = net.OPEN
    timeout_s: float = 120.0
    page_size: int = PAGE_SIZE
    service_account_dir: str | None = None  # None: $KAIROS_KUBERNETES_SERVICE_ACCOUNT_DIR, else the standard one
    environ: Mapping[str, str] | None = None  # None: os.environ


@dataclass(frozen=True, slots=True)
class _Cluster:
    base: str
    token: str | None
    ca: ssl.SSLContext | None
    deadline: float
    policy: net.TargetPolicy

    def headers(self) -> list[tuple[str, str]]:
        auth = [("Authorization", f"Bearer {self.token}")] if self.token else []
        return [("Accept", "application/json"), *auth]

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DiscoveryError("Kubernetes API: the listing ran out of time")
        return left


async def list_urls(options: KubeOptions) -> list[str]:
    """Every URL served by the chosen kinds in the chosen namespaces (annotated ones only if asked), sorted."""
    cluster = _cluster(options)
    urls: set[str] = set()
    async with _session(options, cluster) as session:
        for kind in kinds_named(options.kinds):
            for namespace in options.namespaces or (None,):
                items = await _items(session, cluster, kind, namespace, options.page_size)
                if items is None:
                    break  # the cluster does not serve this kind (no OpenShift, no Gateway API)
                urls.update(u for item in items if wanted(item, options.annotation_only) for u in kind.urls(item))
                if len(urls) > MAX_URLS:
                    raise DiscoveryError(f"Kubernetes API: more than {MAX_URLS} URLs; choose namespaces or kinds")
    return sorted(urls)


def _session(options: KubeOptions, cluster: _Cluster) -> net.Session:
    return net.Session(
        user_agent=options.user_agent,
        max_body_bytes=LIST_BODY_LIMIT,
        verify_tls=not options.skip_tls,
        ca_context=cluster.ca,
        policy=cluster.policy,
    )


def _cluster(options: KubeOptions) -> _Cluster:
    deadline = time.monotonic() + options.timeout_s
    if options.api_url:
        base = options.api_url.rstrip("/")
        return _Cluster(base, options.token, ca_context(options.ca_pem), deadline, options.policy)
    env = os.environ if options.environ is None else options.environ
    host, port = env.get("KUBERNETES_SERVICE_HOST", ""), env.get("KUBERNETES_SERVICE_PORT", "")
    if not host or not port:
        raise DiscoveryError(
            "in-cluster mode: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set "
            "(Kairos does not run in a pod); give the API URL and a token"
        )
    folder = Path(options.service_account_dir or env.get(SERVICE_ACCOUNT_ENV) or SERVICE_ACCOUNT_DIR)
    token = _read(folder / "token", "the service account token").strip()
    ca = options.ca_pem or (_read(folder / "ca.crt", "the cluster CA") if (folder / "ca.crt").exists() else None)
    host = f"[{host}]" if ":" in host else host
    # The address comes from the pod's environment, not from anyone's input, and is a cluster (private)
    # address: the denied networks, which guard typed addresses, do not apply; the proxy rules still do.
    policy = replace(options.policy, denied=())
    return _Cluster(f"https://{host}:{port}", token or None, ca_context(ca), deadline, policy)


def _read(path: Path, what: str) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(_MAX_FILE).decode("utf-8", errors="replace")
    except OSError as exc:
        raise DiscoveryError(f"in-cluster mode: cannot read {what} ({path}): {exc.strerror or exc}") from None


def ca_context(pem: str | None) -> ssl.SSLContext | None:
    """A context trusting only ``pem`` (the cluster's CA), or None for the system trust store."""
    if not pem or not pem.strip():
        return None
    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cadata=pem)
    except (ssl.SSLError, ValueError, TypeError):  # TypeError: text that is not ASCII
        raise DiscoveryError("the CA bundle is not a PEM certificate") from None
    context.set_alpn_protocols(["http/1.1"])
    return context


async def _items(
    session: net.Session, cluster: _Cluster, kind: ObjectKind, namespace: str | None, page_size: int
) -> list[Json] | None:
    """Every item of one list, page by page; None when the API answers 404 (the kind is absent)."""
    what = f"{kind.plural}.{kind.group_version.split('/')[0]}" + (f" in {namespace}" if namespace else "")
    items: list[Json] = []
    token = ""
    for page in range(MAX_PAGES):
        query = f"?limit={page_size}" + (f"&continue={quote(token, safe='')}" if token else "")
        result = await _get(session, cluster, kind.path(namespace) + query, what)
        if result.status == 404 and page == 0:
            return None
        data = _page(result, what)
        listed = data.get("items")
        if isinstance(listed, list):
            items.extend(v for v in listed if isinstance(v, dict))
        metadata = data.get("metadata")
        token = metadata.get("continue", "") if isinstance(metadata, dict) else ""
        if not token or not isinstance(token, str):
            return items
    raise DiscoveryError(f"Kubernetes API: {what}: more than {MAX_PAGES} pages")


async def _get(session: net.Session, cluster: _Cluster, path: str, what: str) -> net.FetchResult:
    try:
        return await session.fetch(
            cluster.base + path, headers=cluster.headers(), timeout_s=cluster.remaining(), follow_redirects=False
        )
    except net.NetError as exc:
        raise DiscoveryError(f"Kubernetes API: {what}: {exc.message}") from None


def _page(result: net.FetchResult, what: str) -> dict[str, object]:
    if result.status != 200:
        hint = _STATUS_HINTS.get(result.status) or ("redirects are not followed" if 300 <= result.status < 400 else "")
        detail = "; ".join(p for p in (_status_message(result.body), hint) if p)
        raise DiscoveryError(f"Kubernetes API: {what}: HTTP {result.status}" + (f" ({detail})" if detail else ""))
    if result.truncated:
        raise DiscoveryError(f"Kubernetes API: {what}: a page is larger than {LIST_BODY_LIMIT // 1048576} MiB")
    try:
        data = json.loads(result.body)
    except ValueError:
        raise DiscoveryError(f"Kubernetes API: {what}: the answer is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("items", []), list):
        raise DiscoveryError(f"Kubernetes API: {what}: the answer is not a list")
    return data


def _status_message(body: bytes) -> str:
    """The ``message`` of a Kubernetes ``Status`` error body, shortened, or nothing."""
    try:
        message = json.loads(body[:65536]).get("message")
    except (ValueError, AttributeError):
        return ""
    return message[:200] if isinstance(message, str) else ""
