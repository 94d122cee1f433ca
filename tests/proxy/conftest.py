"""Proxies for the proxy tests; every test leaves the process without an installed proxy table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kairos.net import proxy
from kairos.net.proxy_rules import EMPTY_TABLE
from tests.proxy.proxies import Pproxy, pproxy
from tests.servers.http_app import Servers, loopback_servers


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
