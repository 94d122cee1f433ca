"""``kairos check tcp --tls`` as a real subprocess against a loopback TLS server: the handshake time and the
certificate are printed; a certificate within the threshold fails the check unless TLS is not verified."""

from __future__ import annotations

import re

import trustme
from typer.testing import CliRunner

from kairos.cli.main import app
from tests.certs.conftest import server_context, tls_server
from tests.cli.test_cli import kairos_cli


async def test_check_tcp_with_tls_prints_the_handshake_time_and_the_certificate(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=5)) as server:
        # The subprocess does not trust the test CA: --skip-tls, so the certificate only warns.
        done = await kairos_cli("check", "tcp", server.address, "--tls", "--skip-tls")
    assert done.code == 0, done
    assert re.search(r"^  TLS +\d+\.\d ms$", done.out, re.M), done.out
    assert re.search(r"^  certificate +\S.*trustme.*, issued by .*trustme", done.out, re.M), done.out
    assert re.search(r"^  not after +\S+Z \(4 days left\)$", done.out, re.M), done.out
    assert "AVAILABLE: TLS handshake with 127.0.0.1:" in done.out


async def test_check_tcp_without_tls_has_no_handshake(ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=5)) as server:
        done = await kairos_cli("check", "tcp", server.address)
    assert done.code == 0, done
    assert re.search(r"^  TLS +-$", done.out, re.M) and "certificate" not in done.out, done.out
    assert server.handshakes == 0


def test_skip_tls_without_tls_is_refused() -> None:
    done = CliRunner().invoke(app, ["check", "tcp", "127.0.0.1:443", "--skip-tls"])
    assert done.exit_code != 0 and "--skip-tls needs --tls" in done.output
