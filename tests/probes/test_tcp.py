"""The TCP probe: connect and close, IPv4 and IPv6."""

from __future__ import annotations

import pytest

from kairos.probes.base import ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.tcp import TcpConfig, probe
from tests.servers.http_app import Servers


async def check(target: str, timeout_s: float = 5.0) -> ProbeResult:
    try:
        return await probe(TcpConfig(), ProbeContext(target=target, timeout_s=timeout_s))
    except ProbeFailure as failure:
        return failure.to_result()


async def test_it_marks_an_open_ipv4_port_available_with_phases(servers: Servers) -> None:
    result = await check(f"127.0.0.1:{servers.http_port}")
    assert result.status is Status.AVAILABLE
    assert result.message.startswith(f"TCP connect to 127.0.0.1:{servers.http_port} in ")
    assert result.phases.dns_ms == 0.0 and result.phases.connect_ms is not None
    assert result.phases.tls_ms is None


async def test_it_connects_over_ipv6(servers: Servers) -> None:
    if servers.ipv6_port is None:
        pytest.skip("this machine has no IPv6 loopback")
    result = await check(f"[::1]:{servers.ipv6_port}")
    assert result.status is Status.AVAILABLE and result.details["address"] == "::1"


async def test_it_resolves_a_host_name(servers: Servers) -> None:
    result = await check(f"localhost:{servers.http_port}")
    assert result.status is Status.AVAILABLE and result.phases.dns_ms is not None


async def test_it_reports_a_closed_port_as_connect_refused(servers: Servers) -> None:
    result = await check(f"127.0.0.1:{servers.closed_port}")
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "connect_refused")


async def test_it_reports_a_connect_that_hangs_as_connect_timeout(servers: Servers) -> None:
    result = await check(f"127.0.0.1:{servers.full_backlog_port}", timeout_s=0.2)
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "connect_timeout")


async def test_it_reports_a_name_that_does_not_resolve() -> None:
    result = await check("kairos-tcp-test.invalid:5432")
    assert result.error_code == "dns_failed"


async def test_it_gives_no_verdict_for_an_invalid_target() -> None:
    result = await check("db.example.com")
    assert (result.status, result.error_code) == (Status.UNKNOWN, "invalid_target")
    assert "port is missing" in result.message
