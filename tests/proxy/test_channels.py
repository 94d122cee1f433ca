"""Notification channels and the proxy, as docs/proxy.md says: the plain JSON webhook goes through Kairos's
default proxy; Apprise channels use their own HTTP stack, which ignores it and honours the usual
``HTTP_PROXY``/``HTTPS_PROXY`` variables instead. Each route proved by pproxy's per-connection log."""

from __future__ import annotations

import pytest

from tests.harness import Running
from tests.notify.conftest import channel
from tests.notify.receivers import hook_server
from tests.proxy.proxies import Pproxy


async def _send_test(kairos: Running, url: str, kind: str) -> None:
    cid = await channel(kairos.client, url, kind=kind, name=f"{kind.lower()} {url[-5:]}")
    r = await kairos.client.post(f"/api/notifications/channels/{cid}/test")
    assert r.status_code == 200 and r.json() == {"ok": True, "error": None}, r.text


async def test_the_json_webhook_goes_through_the_default_proxy(kairos: Running, auth_proxy: Pproxy) -> None:
    r = await kairos.client.put("/api/proxies/default", json={"url": auth_proxy.url("http")})
    assert r.status_code == 200, r.text
    async with hook_server() as hook:
        await _send_test(kairos, hook.url(), "WEBHOOK")
        assert hook.bodies and hook.bodies[0]["test"] is True
        assert await auth_proxy.tunnels_reach(f"127.0.0.1:{hook.port}", 1) == 1


async def test_apprise_ignores_kairos_proxy_and_follows_http_proxy(
    kairos: Running, open_proxy: Pproxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = await kairos.client.put("/api/proxies/default", json={"url": open_proxy.url("http")})
    assert r.status_code == 200, r.text
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with hook_server() as hook:
        await _send_test(kairos, f"json://127.0.0.1:{hook.port}/direct", "APPRISE")
        assert hook.paths == ["/direct"] and open_proxy.tunnels_to(f"127.0.0.1:{hook.port}") == 0
        monkeypatch.setenv("HTTP_PROXY", open_proxy.url("http"))
        await _send_test(kairos, f"json://127.0.0.1:{hook.port}/proxied", "APPRISE")
        assert hook.paths == ["/direct", "/proxied"]
        assert await open_proxy.tunnels_reach(f"127.0.0.1:{hook.port}", 1) == 1
