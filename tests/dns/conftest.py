from collections.abc import Iterator

import pytest

from tests.servers.dns import DnsServers, dns_servers


@pytest.fixture(scope="session")
def _dns_servers() -> Iterator[DnsServers]:
    with dns_servers() as servers:  # stopping one takes a second (socketserver's poll): once per session
        yield servers


@pytest.fixture
def zone(_dns_servers: DnsServers) -> DnsServers:
    """The test zone on a loopback port (UDP and TCP), and a silent server beside it; the query log is fresh."""
    with _dns_servers.zone.lock:
        _dns_servers.zone.queries.clear()
    return _dns_servers
