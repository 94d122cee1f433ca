"""The proxies through the REST API of a running Kairos: admin only, passwords write-only and sealed, a
resource's ``proxy`` field validated, and checks (scheduled and instant) that really go through pproxy."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from kairos.db.models import NamedProxy, Setting
from tests.harness import Running
from tests.net.listener import listening
from tests.proxy.proxies import PASSWORD, Pproxy

pytestmark = pytest.mark.usefixtures("no_proxy_left_behind")


async def _resource(kairos: Running, target: str, **extra: object) -> dict[str, object]:
    body = {"name": "through", "resourceType": "HTTP", "target": target, "active": False, **extra}
    r = await kairos.client.post("/api/resources", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_named_proxies_keep_their_password_secret_everywhere(
    kairos: Running, auth_proxy: Pproxy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    r = await kairos.client.post("/api/proxies", json={"name": "corp", "url": auth_proxy.url("socks5")})
    assert r.status_code == 201, r.text
    assert r.json()["url"] == f"socks5://kairos@127.0.0.1:{auth_proxy.socks_port}" and r.json()["hasPassword"]
    listing = await kairos.client.get("/api/proxies")
    exported = await kairos.client.get("/api/config/export")
    async with kairos.runtime.sessionmaker() as session:
        row = (await session.execute(select(NamedProxy))).scalar_one()
    for text in (r.text, listing.text, exported.text, row.url, caplog.text):
        assert PASSWORD not in text
    assert row.password_enc is not None and PASSWORD.encode() not in row.password_enc
    assert (await kairos.anon.get("/api/proxies")).status_code == 401


async def test_a_resource_goes_through_its_named_proxy_and_the_result_has_the_proxy_phase(
    kairos: Running, auth_proxy: Pproxy
) -> None:
    await kairos.client.post("/api/proxies", json={"name": "corp", "url": auth_proxy.url("http")})
    async with listening() as target:
        res = await _resource(kairos, f"http://localhost:{target.port}/", proxy="corp", active=True)
        assert res["proxy"] == "corp"
        r = await kairos.client.post(f"/api/resources/{res['id']}/check")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "AVAILABLE", r.text
    assert r.json()["proxyMs"] is not None and r.json()["connectMs"] is None
    assert await auth_proxy.tunnels_reach(f"localhost:{target.port}", 1)
    assert target.connections >= 1


async def test_the_proxy_field_is_validated_and_a_proxy_in_use_cannot_be_deleted(
    kairos: Running, open_proxy: Pproxy
) -> None:
    r = await kairos.client.post(
        "/api/resources", json={"name": "x", "resourceType": "TCP", "target": "127.0.0.1:9", "proxy": "nope"}
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "proxy" and "no proxy is named 'nope'" in r.json()["error"]["message"]
    await kairos.client.post("/api/proxies", json={"name": "corp", "url": open_proxy.url("http")})
    res = await _resource(kairos, "http://127.0.0.1:9/", proxy="corp")
    assert (await kairos.client.delete("/api/proxies/corp")).json()["error"]["code"] == "proxy_in_use"
    r = await kairos.client.put(f"/api/resources/{res['id']}", json={"proxy": "direct"})
    assert r.json()["proxy"] == "direct"
    r = await kairos.client.put(f"/api/resources/{res['id']}", json={"proxy": "default"})
    assert r.json()["proxy"] == "default"
    assert (await kairos.client.delete("/api/proxies/corp")).status_code == 204
    for bad, field in [({"name": "direct", "url": "http://h:1"}, "name"), ({"name": "a", "url": "ftp://h:1"}, "url")]:
        r = await kairos.client.post("/api/proxies", json=bad)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text


async def test_the_default_proxy_set_through_the_api_carries_an_instant_check(
    kairos: Running, auth_proxy: Pproxy
) -> None:
    body = {"url": auth_proxy.url("http"), "include": "localhost, *.example.com", "exclude": "10.0.0.0/8"}
    r = await kairos.client.put("/api/proxies/default", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "url": f"http://kairos@127.0.0.1:{auth_proxy.http_port}",
        "hasPassword": True,
        "include": "localhost, *.example.com",
        "exclude": "10.0.0.0/8",
        "managedBy": "console",
    }
    async with kairos.runtime.sessionmaker() as session:
        stored = await session.get(Setting, "proxy")
    assert stored is not None and PASSWORD not in str(stored.value)
    async with listening() as target:
        r = await kairos.client.post(
            "/api/instant-check", json={"resourceType": "HTTP", "target": f"http://localhost:{target.port}/"}
        )
        assert r.json()["status"] == "AVAILABLE", r.text
        assert r.json()["phases"]["proxyMs"] is not None
        assert await auth_proxy.tunnels_reach(f"localhost:{target.port}", 1) == 1
        r = await kairos.client.post(
            "/api/instant-check", json={"resourceType": "HTTP", "target": f"http://127.0.0.1:{target.port}/"}
        )
        assert r.json()["status"] == "AVAILABLE"  # not included: direct
        assert auth_proxy.tunnels_to(f"127.0.0.1:{target.port}") == 0
    # the password is kept when left out, and a wrong one is a classified, secret-free UNKNOWN
    r = await kairos.client.put("/api/proxies/default", json={**body, "url": body["url"].replace(PASSWORD, "bad")})
    assert r.json()["hasPassword"]
    r = await kairos.client.post("/api/instant-check", json={"resourceType": "TCP", "target": "localhost:9"})
    assert r.json()["errorCode"] == "proxy_auth_failed" and r.json()["status"] == "UNKNOWN"
    assert "bad" not in r.json()["message"] and PASSWORD not in r.text


async def test_a_down_proxy_is_a_classified_unknown_not_a_hang(kairos: Running) -> None:
    r = await kairos.client.put("/api/proxies/default", json={"url": "socks5://127.0.0.1:1"})
    assert r.status_code == 200
    r = await kairos.client.post("/api/instant-check", json={"resourceType": "TCP", "target": "127.0.0.1:9"})
    assert r.json()["status"] == "UNKNOWN" and r.json()["errorCode"] == "proxy_unreachable"
    assert r.json()["message"] == "the proxy 127.0.0.1:1 refused the connection (is it running?)"


async def test_config_as_code_exports_and_imports_the_proxy_field(kairos: Running, open_proxy: Pproxy) -> None:
    await kairos.client.post("/api/proxies", json={"name": "corp", "url": open_proxy.url("http")})
    await _resource(kairos, "http://127.0.0.1:9/", proxy="corp")
    exported = (await kairos.client.get("/api/config/export")).text
    assert "proxy: corp" in exported
    doc = (
        "apiVersion: kairos/v1\nkind: KairosConfig\nresources:\n"
        "- name: direct-one\n  type: TCP\n  target: 127.0.0.1:9\n  proxy: direct\n"
    )
    r = await kairos.client.post(
        "/api/config/import?dryRun=false", content=doc, headers={"Content-Type": "application/yaml"}
    )
    assert r.status_code == 200, r.text
    listed = (await kairos.client.get("/api/resources")).json()
    assert {x["name"]: x["proxy"] for x in listed} == {"through": "corp", "direct-one": "direct"}
