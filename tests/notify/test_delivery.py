"""Outage events travel through the outbox to real loopback receivers: payload, retries, dead letters, grouping."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.api.loopback import Target
from tests.harness import Running, wait_for
from tests.notify.conftest import MAX_ATTEMPTS, channel, deliveries, failing_resource, policy
from tests.notify.receivers import Hook


async def test_an_outage_opened_and_resolved_reach_the_webhook_with_the_documented_payload(
    kairos: Running, hook: Hook, target: Target
) -> None:
    await policy(kairos.client, await channel(kairos.client, hook.url()))
    rid = await failing_resource(kairos.client, target, "api")
    await wait_for(lambda: len(hook.events) == 1)
    body = hook.bodies[0]
    assert body["source"] == "kairos" and body["count"] == 1 and body["test"] is False
    assert body["title"] == "Kairos: api is not available"
    opened = body["events"][0]
    assert opened["event"] == "outage_opened"
    assert opened["resource"] == {"id": rid, "name": "api", "kind": "HTTP", "target": target.url("/fail")}
    assert opened["httpStatus"] == 500 and opened["outage"]["startedAt"] and opened["at"].endswith("Z")

    r = await kairos.client.put(f"/api/resources/{rid}", json={"target": target.url("/")})
    assert r.status_code == 200, r.text
    await wait_for(lambda: len(hook.events) == 2)
    resolved = hook.events[1]
    assert resolved["event"] == "outage_resolved"
    assert resolved["outage"]["startedAt"] == opened["outage"]["startedAt"]
    assert resolved["outage"]["durationSeconds"] >= 0 and resolved["outage"]["endedAt"]
    assert [d["status"] for d in await deliveries(kairos.client)] == ["sent", "sent"]


async def test_a_down_channel_keeps_the_message_pending_with_backoff_and_delivers_when_it_is_back(
    kairos: Running, hook: Hook, target: Target
) -> None:
    hook.status = 503
    await policy(kairos.client, await channel(kairos.client, hook.url()))
    await failing_resource(kairos.client, target, "db")

    async def retried() -> dict[str, Any] | None:
        rows = await deliveries(kairos.client, status="pending")
        return rows[0] if rows and rows[0]["attempts"] >= 1 else None

    row = await retried() or await wait_for(retried)
    assert "503" in row["lastError"] and row["nextAttemptAt"] > row["createdAt"]
    hook.status = 200
    await wait_for(lambda: len(hook.events) == 1)
    sent = await wait_for(lambda: deliveries(kairos.client, status="sent"))
    assert sent[0]["attempts"] >= 2 and sent[0]["lastError"] is None


async def test_a_message_is_dead_after_the_last_attempt_and_can_be_retried(
    kairos: Running, hook: Hook, target: Target
) -> None:
    hook.status = 503
    await policy(kairos.client, await channel(kairos.client, hook.url()))
    await failing_resource(kairos.client, target, "cache")
    dead = await wait_for(lambda: deliveries(kairos.client, status="dead"), timeout=20)
    assert dead[0]["attempts"] == MAX_ATTEMPTS and "HTTP 503" in dead[0]["lastError"]

    hook.status = 200
    r = await kairos.client.post(f"/api/notifications/deliveries/{dead[0]['id']}/retry")
    assert r.status_code == 200 and r.json()["status"] == "pending", r.text
    await wait_for(lambda: len(hook.events) == 1)
    again = await kairos.client.post(f"/api/notifications/deliveries/{dead[0]['id']}/retry")
    assert again.status_code == 409


async def test_twenty_resources_failing_at_once_send_one_message_per_channel(
    kairos: Running, hook: Hook, target: Target
) -> None:
    hook_ch = await channel(kairos.client, hook.url(), name="webhook")
    apprise_ch = await channel(kairos.client, f"json://127.0.0.1:{hook.port}/apprise", kind="APPRISE", name="json")
    await policy(kairos.client, hook_ch, ["outage_opened"])
    await policy(kairos.client, apprise_ch, ["outage_opened"])
    ids = [await failing_resource(kairos.client, target, f"svc-{i:02}", active=False) for i in range(20)]
    scheduler = kairos.runtime.scheduler
    for rid in ids:  # all twenty fail within a moment, as in a network-wide failure
        await scheduler.check_now(rid)

    await wait_for(lambda: _all_sent(kairos, 40))
    assert len(hook.bodies) == 2, [b.get("title") for b in hook.bodies]
    webhook = next(b for b in hook.bodies if "events" in b)
    assert webhook["count"] == 20 and webhook["counts"] == {"outage_opened": 20}
    assert webhook["title"].startswith("Kairos: 20 resources not available: svc-00, svc-01")
    assert "and 10 more" in webhook["title"]
    apprise_body = next(b for b in hook.bodies if "events" not in b)
    assert "20 resources not available" in apprise_body["title"] + apprise_body["message"]


async def _all_sent(kairos: Running, n: int) -> bool:
    return len(await deliveries(kairos.client, status="sent", limit=100)) == n


async def test_a_hanging_channel_delays_neither_checks_nor_other_channels(
    kairos: Running, hook: Hook, target: Target
) -> None:
    held: list[asyncio.StreamWriter] = []

    async def never_answer(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # takes the request and says nothing, like a stuck endpoint

    stuck = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    stuck_url = f"http://127.0.0.1:{stuck.sockets[0].getsockname()[1]}/hook"
    try:
        await policy(kairos.client, await channel(kairos.client, stuck_url, name="stuck"), ["outage_opened"])
        await policy(kairos.client, await channel(kairos.client, hook.url(), name="ok"), ["outage_opened"])
        await failing_resource(kairos.client, target, "first")
        await wait_for(lambda: len(hook.events) == 1)  # the healthy channel did not wait for the stuck one
        await wait_for(lambda: held)
        loop = asyncio.get_running_loop()
        started = loop.time()
        second = await failing_resource(kairos.client, target, "second", active=False)
        await kairos.runtime.scheduler.check_now(second)
        assert loop.time() - started < 2.0
        await wait_for(lambda: len(hook.events) == 2)
    finally:
        for writer in held:
            writer.close()
        stuck.close()
