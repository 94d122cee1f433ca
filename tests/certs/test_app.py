"""Through a running Kairos: the certificate on the resource detail (hidden from anonymous callers), the metric,
the cert badge, and cert_expiring events once per threshold per certificate."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
import trustme

from tests.certs.conftest import server_context, tls_server
from tests.harness import Running, wait_for
from tests.notify.conftest import channel, deliveries, kairos, policy
from tests.notify.receivers import Hook, hook_server

__all__ = ["kairos"]


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    async with hook_server() as h:
        yield h


async def make_resource(client: Any, target: str, **options: Any) -> int:
    body = {"name": "site", "resourceType": "HTTP", "target": target, "options": {"certExpiryMode": "warn", **options}}
    r = await client.post("/api/resources", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def check_now(client: Any, rid: int) -> dict[str, Any]:
    r = await client.post(f"/api/resources/{rid}/check")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_the_certificate_shows_in_the_api_metric_and_badge(kairos: Running, ca: trustme.CA) -> None:
    async with tls_server(server_context(ca, days=5)) as server:
        rid = await make_resource(kairos.client, server.url)
        assert (await check_now(kairos.client, rid))["status"] == "AVAILABLE"  # warn mode

        async def detail() -> Any:
            body = (await kairos.client.get(f"/api/resources/{rid}")).json()
            return body if body.get("certificate") else None

        cert = (await wait_for(detail))["certificate"]
    assert cert["daysLeft"] == 4 and cert["expiring"] is True and "127.0.0.1" in cert["sans"]
    metrics = (await kairos.client.get("/actuator/prometheus")).text
    line = re.search(rf'kairos_tls_cert_expiry_seconds\{{resource_id="{rid}"[^}}]*\}} (\S+)', metrics)
    assert line is not None and 4 * 86400 < float(line.group(1)) <= 5 * 86400
    badge = await kairos.client.get(f"/badges/resources/{rid}/cert.svg")
    assert badge.status_code == 200 and "4 days" in badge.text and "#dbab09" in badge.text
    assert (await kairos.client.get("/badges/resources/999999/cert.svg")).status_code == 404


async def test_cert_expiring_is_sent_once_per_threshold_and_again_for_a_new_certificate(
    kairos: Running, ca: trustme.CA, hook: Hook
) -> None:
    cid = await channel(kairos.client, hook.url())
    await policy(kairos.client, cid, ["cert_expiring"])
    async with tls_server(server_context(ca, days=5)) as server:
        rid = await make_resource(kairos.client, server.url)
        for _ in range(3):
            await check_now(kairos.client, rid)
        await wait_for(lambda: len(hook.events) >= 1)
        server.context = server_context(ca, days=5)  # renewed badly: a new certificate, same expiry
        for _ in range(2):
            await check_now(kairos.client, rid)
        await wait_for(lambda: len(hook.events) >= 2)
        server.context = server_context(ca, days=0.5)  # within the last threshold
        await check_now(kairos.client, rid)
        await wait_for(lambda: len(hook.events) >= 3)
    sent = [d for d in await deliveries(kairos.client) if d["event"] == "cert_expiring"]
    assert sorted(d["payload"]["thresholdDays"] for d in sent) == [1, 7, 7]
    assert all(d["payload"]["resource"]["id"] == rid for d in sent)
