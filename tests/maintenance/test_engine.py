"""The single process during a window: a failing resource opens no outage and sends nothing, uptime does not count
the window, the timeline shows it; after the window, everything is as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from kairos.notify.outbox import Notifications
from tests.api.loopback import Target
from tests.harness import Running, local_scheduler, wait_for
from tests.maintenance.conftest import made, one_off, resource
from tests.notify.conftest import channel, deliveries, policy
from tests.notify.receivers import Hook


async def _check(client: httpx.AsyncClient, rid: int) -> dict[str, Any]:
    r = await client.post(f"/api/resources/{rid}/check")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_failing_resource_in_a_window_opens_no_outage_and_sends_nothing_until_the_window_ends(
    kairos: Running, hook: Hook, target: Target
) -> None:
    c = kairos.client
    await policy(c, await channel(c, hook.url()))
    window = await made(c, one_off(scope="all"))
    assert window["active"] is True
    rid = await resource(c, target, "db")
    first = await _check(c, rid)
    again = await _check(c, rid)
    for result in (first, again):
        assert result["status"] == "MAINTENANCE" and result["currentStatus"] == "maintenance"
        assert result["details"]["maintenance"] == {"windowId": window["id"], "title": "db upgrade",
                                                     "observed": "NOT_AVAILABLE"}  # fmt: skip
    scheduler = local_scheduler(kairos.runtime)
    await scheduler.flush_results()
    status = (await c.get(f"/api/resources/{rid}/status-update")).json()
    assert status["currentStatus"] == "maintenance" and status["activeOutageSince"] is None
    assert (await c.get(f"/api/resources/{rid}/outages")).json() == []
    assert await deliveries(c) == []  # events are stored with the results: none was
    assert (await c.get(f"/api/resources/{rid}/uptime")).json() == {"h24": None, "d7": None, "d30": None}
    blocks = (await c.get(f"/api/resources/{rid}/status-update")).json()["timelineBlocks"]
    assert blocks[-1]["status"] == "maintenance"
    history = (await c.get(f"/api/resources/{rid}/history", params={"status": "MAINTENANCE"})).json()
    assert len(history) >= 2

    ended = await c.post(f"/api/maintenance-windows/{window['id']}/end")
    assert ended.status_code == 200 and ended.json()["active"] is False and ended.json()["endedAt"]
    after = await _check(c, rid)
    assert after["status"] == "NOT_AVAILABLE"
    await wait_for(lambda: [e["event"] for e in hook.events] == ["outage_opened"])
    assert (await c.get(f"/api/resources/{rid}/status-update")).json()["activeOutageSince"] is not None
    assert (await c.get(f"/api/resources/{rid}/uptime")).json()["h24"] == 0.0
    again_end = await c.post(f"/api/maintenance-windows/{window['id']}/end")
    assert again_end.status_code == 409 and again_end.json()["error"]["code"] == "not_active"


async def test_an_outage_open_when_a_window_starts_stays_open_without_notifications_and_resolves_after(
    kairos: Running, hook: Hook, target: Target
) -> None:
    c = kairos.client
    await policy(c, await channel(c, hook.url()), ["outage_opened", "outage_resolved"], reminderIntervalSeconds=600)
    rid = await resource(c, target, "api", active=False)
    assert (await _check(c, rid))["status"] == "NOT_AVAILABLE"
    await wait_for(lambda: [e["event"] for e in hook.events] == ["outage_opened"])
    window = await made(c, one_off(scope="resources", scopeIds=[rid]))
    r = await c.put(f"/api/resources/{rid}", json={"target": target.url("/ok")})  # fixed during the window
    assert r.status_code == 200, r.text
    assert (await _check(c, rid))["status"] == "MAINTENANCE"
    await local_scheduler(kairos.runtime).flush_results()
    state = (await c.get(f"/api/resources/{rid}/status-update")).json()
    assert state["activeOutageSince"] is not None  # held open: a window neither opens nor closes an outage
    assert len(await deliveries(c)) == 1
    assert await _reminders_in(kairos, minutes=11) == 0  # a reminder is held during the window too
    assert (await c.post(f"/api/maintenance-windows/{window['id']}/end")).status_code == 200
    assert await _reminders_in(kairos, minutes=11) == 1  # the window is over: reminded again
    assert (await _check(c, rid))["status"] == "AVAILABLE"
    await wait_for(lambda: [e["event"] for e in hook.events] == ["outage_opened", "outage_resolved"])


async def _reminders_in(kairos: Running, minutes: float) -> int:
    """Reminders queued by a reminder round run ``minutes`` from now."""
    runtime = kairos.runtime
    later = datetime.now(UTC) + timedelta(minutes=minutes)
    n = Notifications(runtime.sessionmaker, runtime.box, runtime.settings, clock=lambda: later)
    n.policies = runtime.notifications.policies
    return await n.remind()


async def test_a_window_for_another_resource_or_group_leaves_this_one_alone(kairos: Running, target: Target) -> None:
    c = kairos.client
    other = await resource(c, target, "other", path="/ok", active=False)
    group = (await c.post("/api/groups", json={"name": "edge"})).json()
    await made(c, one_off(scope="resources", scopeIds=[other]))
    await made(c, one_off(scope="groups", scopeIds=[group["id"]]))
    rid = await resource(c, target, "mine", active=False)
    assert (await _check(c, rid))["status"] == "NOT_AVAILABLE"
    assert (await _check(c, other))["status"] == "MAINTENANCE"
    r = await c.put(f"/api/resources/{rid}", json={"groupIds": [group["id"]]})
    assert r.status_code == 200, r.text
    await local_scheduler(kairos.runtime).reload_maintenance()  # memberships are read at the (periodic) reload
    assert (await _check(c, rid))["status"] == "MAINTENANCE"
