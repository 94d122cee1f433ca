"""The channels API: write-only URLs, "send test" through Apprise (JSON, email over SMTP) and the plain webhook,
policy scopes, and the claim that sends each outbox row once even with two loops racing."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select

from kairos.db.models import NotificationOutbox
from kairos.notify.outbox import Notifications
from tests.api.loopback import Target
from tests.harness import Running, wait_for
from tests.notify.conftest import channel, created, deliveries, failing_resource, policy
from tests.notify.receivers import Hook, Smtp

SECRET = "s3cr3t-t0ken-xyz"


async def test_send_test_reaches_the_webhook_apprise_json_and_email(kairos: Running, hook: Hook, smtp: Smtp) -> None:
    for kind, url in (("WEBHOOK", hook.url()), ("APPRISE", f"json://127.0.0.1:{hook.port}/j"), ("APPRISE", smtp.url())):
        cid = await channel(kairos.client, url, kind=kind)
        r = await kairos.client.post(f"/api/notifications/channels/{cid}/test")
        assert r.status_code == 200 and r.json() == {"ok": True, "error": None}, (kind, r.text)
    assert hook.bodies[0]["test"] is True and hook.bodies[0]["events"][0]["event"] == "test"
    assert hook.bodies[1]["title"].startswith("Kairos: ")
    await wait_for(lambda: smtp.inbox.messages)
    mail = smtp.inbox.messages[0]
    assert mail["To"] == "ops@example.com" and mail["Subject"].startswith("Kairos: ")


async def test_send_test_to_a_closed_port_answers_the_error(kairos: Running, closed_port: int) -> None:
    cid = await channel(kairos.client, f"http://127.0.0.1:{closed_port}/{SECRET}")
    r = await kairos.client.post(f"/api/notifications/channels/{cid}/test")
    assert r.status_code == 200 and r.json()["ok"] is False
    assert r.json()["error"] and SECRET not in r.json()["error"]


async def test_a_channel_url_is_never_returned_and_never_logged(
    kairos: Running, hook: Hook, target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"json://user:{SECRET}@127.0.0.1:{hook.port}/path-{SECRET}"
    cid = await channel(kairos.client, url, kind="APPRISE")
    await policy(kairos.client, cid, ["outage_opened"])
    answers = [
        await kairos.client.get("/api/notifications/channels"),
        await kairos.client.get(f"/api/notifications/channels/{cid}"),
        await kairos.client.put(f"/api/notifications/channels/{cid}", json={"url": url + "2"}),
        await kairos.client.post(f"/api/notifications/channels/{cid}/test"),
    ]
    hook.status = 503  # a failing delivery writes a warning and last_error: neither may carry the URL
    await failing_resource(kairos.client, target, "leak")
    await wait_for(lambda: _failed_once(kairos))
    answers.append(await kairos.client.get("/api/notifications/deliveries"))
    assert all(SECRET not in a.text for a in answers)
    assert answers[1].json()["urlHint"] == "json://…"
    leaks = [f"{r.name}: {r.getMessage()[:300]}" for r in caplog.records if SECRET in r.getMessage()]
    assert not leaks


async def _failed_once(kairos: Running) -> bool:
    return any(d["attempts"] >= 1 for d in await deliveries(kairos.client))


async def test_an_url_apprise_does_not_understand_is_refused(kairos: Running) -> None:
    r = await kairos.client.post(
        "/api/notifications/channels", json={"name": "x", "kind": "APPRISE", "url": "nosuchscheme://x"}
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "url"


async def test_policies_reach_only_the_groups_or_resources_in_their_scope(
    kairos: Running, hook: Hook, target: Target
) -> None:
    c = kairos.client
    team = (await created(c, "/api/groups", {"name": "team", "visibility": "PUBLIC"}))["id"]
    by_group, by_resource, everything = [await channel(c, hook.url(f"/{n}"), name=n) for n in ("g", "r", "all")]
    in_team = await failing_resource(c, target, "in-team", active=False, groupIds=[team])
    alone = await failing_resource(c, target, "alone", active=False)
    await policy(c, by_group, ["outage_opened"], scope="groups", scopeIds=[team])
    await policy(c, by_resource, ["outage_opened"], scope="resources", scopeIds=[alone])
    await policy(c, everything, ["outage_opened"])
    for rid in (in_team, alone):
        await kairos.runtime.scheduler.check_now(rid)
    rows = await wait_for(lambda: _rows_for(kairos, 4))
    routed = sorted((r["channelId"], r["resourceId"]) for r in rows)
    expected = sorted([(by_group, in_team), (by_resource, alone), (everything, in_team), (everything, alone)])
    assert routed == expected


async def _rows_for(kairos: Running, n: int) -> list[dict[str, Any]] | None:
    rows = await deliveries(kairos.client)
    return rows if len(rows) >= n else None


async def test_two_loops_racing_send_every_outbox_row_exactly_once(kairos: Running, hook: Hook) -> None:
    runtime = kairos.runtime
    cid = await channel(kairos.client, hook.url())
    now = datetime(2020, 1, 1, tzinfo=UTC)  # long past the grouping window
    rows = [
        {"channel_id": cid, "event": "outage_opened", "status": "pending", "attempts": 0, "next_attempt_at": now,
         "created_at": now, "payload": {"event": "outage_opened", "resource": {"name": f"r{i}"}, "n": i}}
        for i in range(60)
    ]  # fmt: skip
    assert runtime.notifications is not None
    await runtime.notifications.stop()  # only the two racers below deliver
    async with runtime.sessionmaker() as session, session.begin():
        await session.execute(insert(NotificationOutbox), rows)
    racers = [Notifications(runtime.sessionmaker, runtime.box, runtime.settings) for _ in range(3)]
    sent = sum(await asyncio.gather(*(r.run_once() for r in racers)))
    assert sent == 60
    assert sorted(e["n"] for e in hook.events) == list(range(60))  # every row once, none twice
    async with runtime.sessionmaker() as session:
        statuses = set((await session.execute(select(NotificationOutbox.status))).scalars())
    assert statuses == {"sent"}
