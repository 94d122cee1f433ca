"""Helpers to run Debian's ``docker-registry`` (CNCF distribution 2.8) on loopback and fill it with skopeo.

See ``/work/shared/TESTING.md`` §1-3: each registry gets its own config and storage root, listens on
127.0.0.1 only, is stopped by PID, and has no ``blobdescriptor`` cache (it would hide deleted blobs).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.servers.ports import free_port

SERVERS = Path(__file__).parent


def wait_http(url: str, timeout: float = 10.0) -> None:
    """Poll until ``url`` answers anything over HTTP (a 401 counts: the server is up)."""
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=0.5, context=insecure if url.startswith("https") else None)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} not up")


def start_script(name: str, **env: str) -> tuple[subprocess.Popen[str], int]:
    """Start one of our servers; it binds port 0 and prints ``listening on 127.0.0.1:PORT …``."""
    proc = subprocess.Popen(
        [sys.executable, str(SERVERS / name)], env={**os.environ, **env}, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline().split()[2].rsplit(":", 1)[1])


def stop(proc: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def self_signed(folder: Path, cn: str = "localhost") -> tuple[str, str]:
    """(cert, key) of a self-signed EC certificate for 127.0.0.1 and localhost (TLS or token signing)."""
    cert, key = f"{folder}/{cn}.crt", f"{folder}/{cn}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={cn}",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class Registry:
    def __init__(self, root: Path, auth_yaml: str = "", tls: tuple[str, str] | None = None) -> None:
        self.root, port = root, free_port()
        self.host = f"127.0.0.1:{port}"
        self.url = f"{'https' if tls else 'http'}://{self.host}"
        tls_yaml = f"  tls: {{certificate: {tls[0]}, key: {tls[1]}}}\n" if tls else ""
        cfg = root / "config.yml"
        cfg.write_text(
            "version: 0.1\nlog: {level: warn, accesslog: {disabled: true}}\n"
            f"storage: {{filesystem: {{rootdirectory: {root}/data}}, delete: {{enabled: true}}}}\n"
            f"http:\n  addr: 127.0.0.1:{port}\n  secret: test-only\n{tls_yaml}{auth_yaml}"
        )
        self.log = open(root / "registry.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(["docker-registry", "serve", str(cfg)], stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.url + "/v2/")

    @property
    def repos(self) -> Path:
        return self.root / "data/docker/registry/v2/repositories"

    def blob_path(self, digest: str) -> Path:
        h = digest.split(":", 1)[1]
        return self.root / "data/docker/registry/v2/blobs/sha256" / h[:2] / h / "data"

    def unlink_layer(self, repo: str, digest: str) -> None:
        """Make one blob unreachable in ``repo`` only (other repositories keep it)."""
        shutil.rmtree(self.repos / repo / "_layers/sha256" / digest.split(":", 1)[1])

    def break_tag(self, repo: str, tag: str) -> None:
        """Garbage in the tag link: the registry then answers 500 UNKNOWN for the tag."""
        (self.repos / repo / "_manifests/tags" / tag / "current/link").write_text("garbage")

    def delete_manifest(self, repo: str, digest: str) -> None:
        req = urllib.request.Request(f"{self.url}/v2/{repo}/manifests/{digest}", method="DELETE")
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 202

    def stop(self) -> None:
        stop(self.proc)
        self.log.close()


def push(
    oci_dir: str, ref: str, dest: str, *, creds: str | None = None, all_: bool = False, v2s2: bool = False
) -> None:
    subprocess.run(
        ["skopeo", "copy", "-q", "--dest-tls-verify=false", *(["--all"] if all_ else []),
         *(["--format", "v2s2"] if v2s2 else []), *(["--dest-creds", creds] if creds else []),
         f"oci:{oci_dir}:{ref}", f"docker://{dest}"],
        check=True,
    )  # fmt: skip


def silent_listener() -> socket.socket:
    """A socket that listens but never accepts: connects succeed through the backlog, no byte ever comes."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


def token_auth_yaml(realm: str, cert: str) -> str:
    """The registry's `auth.token` section for our token server (TESTING.md §1.3)."""
    return (
        f"auth:\n  token:\n    realm: {realm}\n    service: test-registry\n"
        f"    issuer: test-issuer\n    rootcertbundle: {cert}\n"
    )


@contextlib.contextmanager
def token_registry(folder: Path, **token_env: str) -> Iterator[tuple[Registry, int]]:
    """A registry with token auth and our token server signing for it; yields it and the token server's port."""
    cert, key = self_signed(folder, "test-issuer")
    server, port = start_script("token_server.py", TOKEN_KEY=key, TOKEN_CERT=cert, **{"TOKEN_HDR": "kid", **token_env})
    try:
        registry = Registry(folder, token_auth_yaml(f"http://127.0.0.1:{port}/token", cert))
        try:
            yield registry, port
        finally:
            registry.stop()
    finally:
        stop(server)
