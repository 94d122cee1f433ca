"""Real registries for the image probe: no auth, htpasswd Basic, token auth (with our token server), TLS,
and token registries whose token server is down or silent. Session-scoped; stopped by PID."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import pytest

from tests.servers.ports import free_port
from tests.servers.registry import (
    Registry,
    push,
    self_signed,
    silent_listener,
    token_auth_yaml,
    token_registry,
)


@dataclass
class TokenSetup:
    registry: Registry
    token_url: str  # base URL of the token server


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory, oci_dir: str) -> Iterator[Registry]:
    """No auth. Destructive tests each get a repository of their own (broken/…, gone/…)."""
    r = Registry(tmp_path_factory.mktemp("reg"))
    try:
        push(oci_dir, "v1", f"{r.host}/library/hello:v1")
        push(oci_dir, "multi", f"{r.host}/team/a/b/app:multi", all_=True)
        push(oci_dir, "v1", f"{r.host}/a/b/c:v2s2", v2s2=True)
        push(oci_dir, "multi", f"{r.host}/a/b/c:list", all_=True, v2s2=True)
        for repo in ("gone/tag", "broken/layer", "broken/status"):
            push(oci_dir, "v1", f"{r.host}/{repo}:v1")
        push(oci_dir, "multi", f"{r.host}/broken/platform:multi", all_=True)
        yield r
    finally:
        r.stop()


@pytest.fixture(scope="session")
def basic_registry(tmp_path_factory: pytest.TempPathFactory, oci_dir: str) -> Iterator[Registry]:
    d = tmp_path_factory.mktemp("basic")
    (d / "htpasswd").write_text("alice:" + bcrypt.hashpw(b"s3cret", bcrypt.gensalt(10)).decode() + "\n")
    r = Registry(d, f"auth: {{htpasswd: {{realm: test-realm, path: {d}/htpasswd}}}}\n")
    try:
        push(oci_dir, "v1", f"{r.host}/private/app:v1", creds="alice:s3cret")
        yield r
    finally:
        r.stop()


@pytest.fixture(scope="session")
def token_setup(tmp_path_factory: pytest.TempPathFactory, oci_dir: str) -> Iterator[TokenSetup]:
    with token_registry(tmp_path_factory.mktemp("tok")) as (r, port):
        push(oci_dir, "v1", f"{r.host}/public/hello:v1", creds="alice:s3cret")
        push(oci_dir, "v1", f"{r.host}/private/x/y:v1", creds="alice:s3cret")
        yield TokenSetup(r, f"http://127.0.0.1:{port}")


@pytest.fixture(scope="session")
def access_token_registry(tmp_path_factory: pytest.TempPathFactory, oci_dir: str) -> Iterator[Registry]:
    """A token server that answers with ``access_token`` only (OAuth2 style), signing with an x5c header."""
    with token_registry(tmp_path_factory.mktemp("oauth"), TOKEN_HDR="x5c", TOKEN_FIELD="access_token") as (r, _):
        push(oci_dir, "v1", f"{r.host}/public/hello:v1", creds="alice:s3cret")
        yield r


@pytest.fixture(scope="session")
def silent_port() -> Iterator[int]:
    s = silent_listener()
    try:
        yield int(s.getsockname()[1])
    finally:
        s.close()


@pytest.fixture(scope="session")
def refused_realm_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """Token auth whose realm is a port nobody listens on: the registry is up, its token server is not."""
    d = tmp_path_factory.mktemp("norealm")
    cert, _ = self_signed(d, "test-issuer")
    r = Registry(d, token_auth_yaml(f"http://127.0.0.1:{free_port()}/token", cert))
    yield r
    r.stop()


@pytest.fixture(scope="session")
def silent_realm_registry(tmp_path_factory: pytest.TempPathFactory, silent_port: int) -> Iterator[Registry]:
    d = tmp_path_factory.mktemp("silentrealm")
    cert, _ = self_signed(d, "test-issuer")
    r = Registry(d, token_auth_yaml(f"http://127.0.0.1:{silent_port}/token", cert))
    yield r
    r.stop()


@pytest.fixture(scope="session")
def tls_registry(tmp_path_factory: pytest.TempPathFactory, oci_dir: str) -> Iterator[Registry]:
    d: Path = tmp_path_factory.mktemp("tls")
    r = Registry(d, tls=self_signed(d))
    try:
        push(oci_dir, "v1", f"{r.host}/library/hello:v1")
        yield r
    finally:
        r.stop()
