"""Token realms named by a registry's challenge: an HTTPS registry's realm must be HTTPS, and a realm on
another host gets no registry credentials (an anonymous token instead). Real registries and our token server
on loopback; "another host" is ``localhost`` for a registry reached as ``127.0.0.1``."""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from kairos.net.denylist import parse_networks
from kairos.probes.base import Kind, ProbeContext, Status
from kairos.probes.image import ImageConfig
from kairos.probes.kinds import run_probe
from kairos.registry.auth import TokenCache
from kairos.registry.realms import same_site
from tests.registry.test_image_probe import ALICE, check, verdict
from tests.servers.registry import Registry, push, self_signed, start_script, stop, token_auth_yaml


@dataclass
class RealmSetup:
    registry: Registry
    token_url: str

    def token_requests(self) -> int:
        with urllib.request.urlopen(self.token_url + "/count", timeout=5) as resp:
            return int(json.loads(resp.read())["count"])


@pytest.fixture(scope="module")
def foreign_realm(tmp_path_factory: pytest.TempPathFactory, oci_dir: str) -> Iterator[RealmSetup]:
    """Registry at 127.0.0.1, its token realm at localhost: the same machine under another host name."""
    folder = tmp_path_factory.mktemp("foreignrealm")
    cert, key = self_signed(folder, "test-issuer")
    server, port = start_script("token_server.py", TOKEN_KEY=key, TOKEN_CERT=cert, TOKEN_HDR="kid")
    registry = Registry(folder, token_auth_yaml(f"http://localhost:{port}/token", cert))
    try:
        push(oci_dir, "v1", f"{registry.host}/public/hello:v1", creds="alice:s3cret")
        push(oci_dir, "v1", f"{registry.host}/private/x/y:v1", creds="alice:s3cret")
        yield RealmSetup(registry, f"http://127.0.0.1:{port}")
    finally:
        registry.stop()
        stop(server)


@pytest.fixture(scope="module")
def https_registry_http_realm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealmSetup]:
    """A TLS registry whose token realm is plain http://."""
    folder = tmp_path_factory.mktemp("httprealm")
    cert, key = self_signed(folder, "test-issuer")
    server, port = start_script("token_server.py", TOKEN_KEY=key, TOKEN_CERT=cert, TOKEN_HDR="kid")
    registry = Registry(folder, token_auth_yaml(f"http://127.0.0.1:{port}/token", cert), tls=self_signed(folder))
    try:
        yield RealmSetup(registry, f"http://127.0.0.1:{port}")
    finally:
        registry.stop()
        stop(server)


async def test_a_realm_on_another_host_gets_no_credentials_but_public_images_still_pull(
    foreign_realm: RealmSetup, caplog: pytest.LogCaptureFixture
) -> None:
    host = foreign_realm.registry.host
    with caplog.at_level(logging.WARNING, logger="kairos.registry"):
        private = await check(f"{host}/private/x/y:v1", credential=ALICE)
        again = await check(f"{host}/private/x/y:v1", credential=ALICE)
    # The token server gives alice everything: AVAILABLE here would mean her password went to "localhost".
    assert verdict(private) == (Status.NOT_AVAILABLE, "registry_unauthorized"), private.message
    assert "not sent to the token realm on another host, localhost" in private.message
    assert verdict(again) == (Status.NOT_AVAILABLE, "registry_unauthorized")
    warnings = [r for r in caplog.records if "token realm on another host" in r.getMessage()]
    assert len(warnings) == 1 and "localhost" in warnings[0].getMessage()
    public = await check(f"{host}/public/hello:v1", credential=ALICE)
    assert verdict(public) == (Status.AVAILABLE, None), public.message


async def test_an_https_registry_with_a_plain_http_realm_is_refused_before_any_token_request(
    https_registry_http_realm: RealmSetup,
) -> None:
    before = https_registry_http_realm.token_requests()
    target = f"{https_registry_http_realm.registry.host}/public/hello:v1"
    for credential in (ALICE, None):
        result = await check(target, credential=credential, insecureHttp=False, skip_tls=True)
        assert verdict(result) == (Status.NOT_AVAILABLE, "token_realm_refused"), result.message
        assert "not HTTPS" in result.message
    assert https_registry_http_realm.token_requests() == before


@pytest.mark.parametrize(
    ("registry", "realm", "trusted"),
    [
        ("registry-1.docker.io", "auth.docker.io", True),
        ("ghcr.io", "ghcr.io", True),
        ("quay.io", "quay.io", True),
        ("registry.gitlab.com", "gitlab.com", True),
        ("registry.example.com", "gitlab.example.com", True),
        ("127.0.0.1", "127.0.0.1", True),
        ("ghcr.io", "evil.io", False),
        ("registry-1.docker.io", "docker.io.evil.example", False),
        ("registry.co.uk", "evil.co.uk", False),
        ("127.0.0.1", "localhost", False),
        ("10.0.0.1", "10.0.0.2", False),
        ("registry.example.com", "", False),
    ],
)
def test_which_realm_hosts_share_the_registrys_credentials(registry: str, realm: str, trusted: bool) -> None:
    assert same_site(registry, realm) is trusted


@pytest.fixture(scope="module")
def denied_realm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A registry at 127.0.0.1 whose token realm is 127.0.0.2, which the test's policy denies (no packet goes
    there: nothing listens on it)."""
    folder = tmp_path_factory.mktemp("deniedrealm")
    cert, _ = self_signed(folder, "test-issuer")
    registry = Registry(folder, token_auth_yaml("http://127.0.0.2:9/token", cert))
    try:
        yield registry
    finally:
        registry.stop()


async def test_a_token_realm_on_a_denied_network_is_reported_as_target_denied(denied_realm: Registry) -> None:
    policy = parse_networks("127.0.0.2/32")
    options = {"insecureHttp": True}
    ctx = ProbeContext(f"{denied_realm.host}/public/hello:v1", 10.0, policy=policy, extra={"token_cache": TokenCache()})
    result = await run_probe(Kind.DOCKER, ImageConfig(**options), ctx)
    assert verdict(result) == (Status.UNKNOWN, "target_denied"), result.message
    assert "loopback" in result.message
