"""The certificate of HTTPS and TCP-with-TLS checks, against real TLS servers on loopback: what is recorded, and
certExpiryDays with both modes, verified and with skip TLS."""

from __future__ import annotations

from typing import Any

import pytest
import trustme

from kairos.probes.base import ProbeContext, Status
from kairos.probes.kinds import parse_config, run_probe
from tests.certs.conftest import server_context, tls_server


async def check(kind: str, target: str, *, skip_tls: bool = False, **options: Any) -> Any:
    ctx = ProbeContext(target=target, timeout_s=5.0, skip_tls=skip_tls)
    return await run_probe(kind, parse_config(kind, options), ctx)


async def test_an_https_check_records_the_certificate_and_passes_far_from_expiry(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=90)) as server:
        result = await check("HTTP", server.url)
    assert result.status is Status.AVAILABLE, result.message
    cert = result.details["certificate"]
    assert cert["daysLeft"] in (89, 90)
    assert cert["notAfter"].endswith("Z") and "127.0.0.1" in cert["sans"] and "localhost" in cert["sans"]
    assert "trustme" in cert["issuer"] and len(cert["fingerprint"]) == 64
    assert "warning" not in cert


async def test_a_certificate_expiring_within_the_threshold_fails_with_cert_expiring(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=5)) as server:
        result = await check("HTTP", server.url)
    assert result.status is Status.NOT_AVAILABLE
    assert result.error_code == "cert_expiring"
    assert "expires in 4 days" in result.message and "notAfter" in result.message


async def test_warn_mode_keeps_the_result_and_marks_a_warning(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=5)) as server:
        result = await check("HTTP", server.url, certExpiryMode="warn")
    assert result.status is Status.AVAILABLE
    assert result.details["certificate"]["warning"] is True


async def test_zero_days_turns_the_expiry_check_off_but_still_records(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=5)) as server:
        result = await check("HTTP", server.url, certExpiryDays=0)
    assert result.status is Status.AVAILABLE
    assert result.details["certificate"]["expiryDays"] == 0 and "warning" not in result.details["certificate"]


async def test_a_lower_threshold_lets_a_five_day_certificate_pass(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=5)) as server:
        result = await check("HTTP", server.url, certExpiryDays=3)
    assert result.status is Status.AVAILABLE


async def test_an_expired_certificate_fails_verification_and_records_nothing(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=-2)) as server:
        result = await check("HTTP", server.url)
    assert result.status is Status.NOT_AVAILABLE and result.error_code == "tls_invalid"
    assert "expired" in result.message and "certificate" not in result.details


async def test_with_skip_tls_an_expired_certificate_passes_with_a_warning_and_its_expiry(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=-2)) as server:
        result = await check("HTTP", server.url, skip_tls=True)
    assert result.status is Status.AVAILABLE
    cert = result.details["certificate"]
    assert cert["daysLeft"] == -2 and cert["warning"] is True


async def test_with_skip_tls_a_self_signed_certificate_is_still_described() -> None:
    other = trustme.CA()  # not trusted by anyone
    async with tls_server(server_context(other, days=30)) as server:
        verified = await check("HTTP", server.url)
        skipped = await check("HTTP", server.url, skip_tls=True)
    assert verified.error_code == "tls_invalid"
    assert skipped.status is Status.AVAILABLE and skipped.details["certificate"]["daysLeft"] in (29, 30)


async def test_a_tcp_check_with_tls_records_and_judges_the_certificate(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=5)) as server:
        failing = await check("TCP", server.address, tls=True)
        warned = await check("TCP", server.address, tls=True, certExpiryMode="warn")
        plain = await check("TCP", server.address)
        assert server.handshakes == 2  # the plain connect sent nothing
    assert failing.status is Status.NOT_AVAILABLE and failing.error_code == "cert_expiring"
    assert "TLS handshake" not in failing.message and "127.0.0.1" in failing.details["certificate"]["sans"]
    assert warned.status is Status.AVAILABLE and warned.message.startswith("TLS handshake with 127.0.0.1")
    assert plain.status is Status.AVAILABLE and "certificate" not in plain.details


async def test_a_tcp_check_with_tls_fails_on_a_certificate_for_another_host(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=60, names=("other.example",))) as server:
        result = await check("TCP", server.address, tls=True)
        skipped = await check("TCP", server.address, tls=True, skip_tls=True)
    assert result.status is Status.NOT_AVAILABLE and result.error_code == "tls_invalid"
    assert skipped.status is Status.AVAILABLE and skipped.details["certificate"]["sans"] == ["other.example"]


@pytest.mark.parametrize("options", [{"certExpiryDays": -1}, {"certExpiryDays": 366}, {"certExpiryMode": "maybe"}])
def test_it_refuses_invalid_expiry_options(options: dict[str, Any]) -> None:
    from pydantic import ValidationError

    for kind in ("HTTP", "TCP", "DOCKER"):
        with pytest.raises(ValidationError):
            parse_config(kind, options)
