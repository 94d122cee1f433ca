"""Proxies for the proxy tests, and a registry with token auth to reach through them; every test leaves the
process without an installed proxy table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from kairos.net import proxy
from kairos.net.proxy_rules import EMPTY_TABLE
from tests.proxy.proxies import Pproxy, pproxy
from tests.servers.http_app import Servers, loopback_servers
from tests.servers.registry import Registry, push, token_registry


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with loopback_servers(tmp_path_factory.mktemp("pki")) as running:
        yield running


@pytest.fixture(scope="session")
def open_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pproxy]:
    with pproxy(tmp_path_factory.mktemp("pproxy")) as running:
        yield running


@pytest.fixture(scope="session")
def auth_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pproxy]:
    with pproxy(tmp_path_factory.mktemp("pproxy-auth"), auth=True) as running:
        yield running


@pytest.fixture(autouse=True)
def no_proxy_left_behind() -> Iterator[None]:
    yield
    proxy.install(EMPTY_TABLE)


@dataclass
class TokenRegistry:
    registry: Registry
    realm: str  # host:port of the token server, as pproxy logs a tunnel to it


@pytest.fixture(scope="session")
def proxied_registry(tmp_path_factory: pytest.TempPathFactory, oci_dir: str) -> Iterator[TokenRegistry]:
    """Token auth: anonymous callers pull public/…, alice (Basic to the realm) pulls anything. Tokens are cached
    per process (per registry, scope and identity), so each test that must see a realm request has its own
    repositories (listed/… is discovery's)."""
    with token_registry(tmp_path_factory.mktemp("proxy-tok")) as (r, port):
        for repo in ("public/hello", "public/http", "public/socks5", "private/http", "private/socks5", "listed/app"):
            push(oci_dir, "v1", f"{r.host}/{repo}:v1", creds="alice:s3cret")
        yield TokenRegistry(r, f"127.0.0.1:{port}")
