"""DOCKER checks against real TLS registries (docker-registry with ``http.tls``): the registry's certificate is
recorded for an image check, judged when verified, and still read (only warned about) with skipTLS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme

from kairos.probes.base import Kind, ProbeContext, ProbeResult, Status
from kairos.probes.kinds import parse_config, run_probe
from kairos.registry.auth import TokenCache
from tests.registry.conftest import tls_registry
from tests.servers.registry import Registry, push

__all__ = ["tls_registry"]


@pytest.fixture(scope="module")
def trusted_registry(tmp_path_factory: pytest.TempPathFactory, oci_dir: str, ca: trustme.CA) -> Iterator[Registry]:
    """A registry whose certificate (5 days left) comes from the trustme CA the verifying context trusts."""
    d: Path = tmp_path_factory.mktemp("trusted-registry")
    now = datetime.now(UTC)
    leaf = ca.issue_cert(
        "127.0.0.1", "localhost", not_before=now - timedelta(days=1), not_after=now + timedelta(days=5)
    )
    cert, key = d / "leaf.crt", d / "leaf.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    r = Registry(d, tls=(str(cert), str(key)))
    try:
        push(oci_dir, "v1", f"{r.host}/library/hello:v1")
        yield r
    finally:
        r.stop()


async def check(registry: Registry, *, skip_tls: bool = False, **options: Any) -> ProbeResult:
    ctx = ProbeContext(
        f"{registry.host}/library/hello:v1", 10.0, skip_tls=skip_tls, extra={"token_cache": TokenCache()}
    )
    return await run_probe(Kind.DOCKER, parse_config("DOCKER", options), ctx)


async def test_a_verified_registry_certificate_within_the_threshold_fails_with_cert_expiring(
    trusted_registry: Registry,
) -> None:
    result = await check(trusted_registry)
    assert (result.status, result.error_code) == (Status.NOT_AVAILABLE, "cert_expiring"), result.message
    assert result.message.startswith("TLS certificate expires in 4 days (notAfter ")
    cert = result.details["certificate"]
    assert cert["daysLeft"] == 4 and "trustme" in cert["issuer"] and "127.0.0.1" in cert["sans"]


async def test_a_lower_threshold_lets_the_image_check_pass_with_the_certificate_recorded(
    trusted_registry: Registry,
) -> None:
    result = await check(trusted_registry, certExpiryDays=3)
    assert result.status is Status.AVAILABLE, result.message
    assert result.details["digest"].startswith("sha256:")  # the image itself was checked
    assert result.details["certificate"]["daysLeft"] == 4 and "warning" not in result.details["certificate"]


async def test_skip_tls_reads_a_self_signed_registry_certificate_and_only_warns(tls_registry: Registry) -> None:
    result = await check(tls_registry, skip_tls=True)
    assert result.status is Status.AVAILABLE, result.message  # the fixture's certificate has 2 days: only a warning
    cert = result.details["certificate"]
    assert cert["subject"] == "CN=localhost" and cert["issuer"] == "CN=localhost"
    assert cert["daysLeft"] in (1, 2) and cert["warning"] is True
    assert set(cert["sans"]) == {"127.0.0.1", "localhost"}
