"""Loopback servers (HTTP, HTTPS with good and bad certificates, TCP oddities) for these tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.http_app import Servers, loopback_servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with loopback_servers(tmp_path_factory.mktemp("pki")) as running:
        yield running
