"""Reminders while an outage lasts, and the events besides outages: a re-pushed tag, discovery found/lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kairos.discovery.sync import discovery_events
from kairos.notify.events import DIGEST_CHANGED, OUTAGE_OPENED, OUTAGE_RESOLVED, events_of
from kairos.notify.outbox import Notifications
from kairos.probes.base import ProbeResult, Status
from kairos.registry.discovery import Known, Plan
from kairos.scheduler.state import Transition
from tests.api.loopback import Target
from tests.harness import Running, wait_for
from tests.notify.conftest import channel, deliveries, failing_resource, policy
from tests.notify.receivers import Hook


async def test_an_outage_that_lasts_is_reminded_every_reminder_interval(
    kairos: Running, hook: Hook, target: Target
) -> None:
    cid = await channel(kairos.client, hook.url())
    await policy(kairos.client, cid, ["outage_opened"], reminderIntervalSeconds=600)
    await failing_resource(kairos.client, target, "slow")
    await wait_for(lambda: len(hook.events) == 1)
    runtime = kairos.runtime
    later = datetime.now(UTC)

    def at(minutes: float) -> Notifications:
        n = Notifications(
            runtime.sessionmaker, runtime.box, runtime.settings, clock=lambda: later + timedelta(minutes=minutes)
        )
        n.policies = runtime.notifications.policies
        return n

    assert await at(5).remind() == 0  # not yet ten minutes
    assert await at(11).remind() == 1
    assert await at(15).remind() == 0  # reminded four minutes ago
    assert await at(22).remind() == 1
    reminders = [d for d in await deliveries(kairos.client) if d["event"] == "outage_reminder"]
    assert len(reminders) == 2 and reminders[0]["payload"]["resource"]["name"] == "slow"


def test_a_result_opening_an_outage_on_a_re_pushed_tag_gives_both_events() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    result = ProbeResult(status=Status.NOT_AVAILABLE, message="down", checked_at=at)
    result.details["digestChanged"] = {"from": "sha256:a", "to": "sha256:b"}
    events = events_of(7, result, Transition(opened_at=at))
    assert [e.kind for e in events] == [OUTAGE_OPENED, DIGEST_CHANGED]
    assert events[1].details["digest"] == {"from": "sha256:a", "to": "sha256:b"}
    assert [
        e.kind for e in events_of(7, ProbeResult(status=Status.AVAILABLE, message="ok"), Transition(closed_at=at))
    ] == [OUTAGE_RESOLVED]
    assert events_of(7, ProbeResult(status=Status.AVAILABLE, message="ok"), Transition()) == []


def test_a_discovery_sync_reports_found_and_lost_images() -> None:
    back = Known(3, "r/app:1", 1, False, True)
    gone = Known(4, "r/app:2", 1, True, False)
    changes = Plan(create=["r/app:3"], reactivate=[back], deactivate=[gone], unchanged=0)
    events = discovery_events(changes, [3, 4, 9])
    assert [(e.kind, e.resource_id) for e in events] == [
        ("discovery_found", 3),
        ("discovery_found", 9),
        ("discovery_lost", 4),
    ]
