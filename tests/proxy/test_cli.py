"""``kairos check`` obeys KAIROS_PROXY_* like the server, shows the proxy phase, and never prints the password."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli.test_cli import kairos_cli
from tests.net.listener import listening
from tests.proxy.proxies import PASSWORD, Pproxy


async def test_kairos_check_goes_through_the_environments_proxy(auth_proxy: Pproxy, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    env |= {"KAIROS_DATA_DIR": str(tmp_path), "KAIROS_PROXY_URL": auth_proxy.url("socks5")}
    async with listening() as target:
        done = await kairos_cli("check", "http", f"http://localhost:{target.port}/", env=env)
        assert done.code == 0, done.out + done.err
        assert await auth_proxy.tunnels_reach(f"localhost:{target.port}", 1) == 1
        assert "  proxy " in done.out
        env["KAIROS_PROXY_URL"] = auth_proxy.url("http", password="wrong-password")
        env["KAIROS_PROXY_EXCLUDE"] = "127.0.0.1"
        excluded = await kairos_cli("check", "tcp", f"127.0.0.1:{target.port}", env=env)
        failed = await kairos_cli("check", "tcp", f"localhost:{target.port}", env=env)
    assert excluded.code == 0 and "  proxy " not in excluded.out
    assert failed.code == 2, failed.out  # UNKNOWN: the proxy failed, not the target
    assert "(proxy_auth_failed)" in failed.out
    for text in (done.out, done.err, failed.out, failed.err):
        assert PASSWORD not in text and "wrong-password" not in text
