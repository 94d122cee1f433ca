"""Current status, timelines, uptime and latency samples."""

from __future__ import annotations

from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource, wait_for_history, wait_for_status
from tests.harness import Running


async def _available(kairos: Running, target: Target) -> int:
    created = await create_resource(kairos, target.url("/"))
    await wait_for_status(kairos, created["id"], "available")
    await kairos.runtime.scheduler.flush_results()
    await wait_for_history(kairos, created["id"])
    return int(created["id"])


async def test_a_status_update_has_96_blocks_and_the_uptime(kairos: Running, target: Target) -> None:
    rid = await _available(kairos, target)
    body = (
        await kairos.anon.get(f"/api/resources/{rid}/status-update", params={"hours": 24, "includeTimeline": "true"})
    ).json()
    assert (body["resourceId"], body["currentStatus"], body["activeOutageSince"]) == (rid, "available", None)
    assert body["uptimePercentage"] == 100.0
    blocks = body["timelineBlocks"]
    assert len(blocks) == 96
    assert blocks[-1]["status"] == "available" and blocks[-1]["available"] >= 1
    assert blocks[0]["status"] == "unknown" and blocks[0]["hasData"] is False
    for key in (
        "timestamp",
        "latencyMs",
        "dnsResolutionMs",
        "connectMs",
        "tlsHandshakeMs",
        "notAvailable",
        "unknown",
    ):
        assert key in blocks[-1]


async def test_every_window_has_96_blocks(kairos: Running, target: Target) -> None:
    rid = await _available(kairos, target)
    for hours in (168, 720):
        body = (await kairos.anon.get(f"/api/resources/{rid}/status-update", params={"hours": hours})).json()
        assert len(body["timelineBlocks"]) == 96 and body["hours"] == hours


async def test_the_timeline_can_be_left_out(kairos: Running, target: Target) -> None:
    rid = await _available(kairos, target)
    body = (await kairos.anon.get(f"/api/resources/{rid}/status-update", params={"includeTimeline": "false"})).json()
    assert body["timelineBlocks"] == []
    assert body["uptimePercentage"] == 100.0


async def test_status_updates_cover_every_resource(kairos: Running, target: Target, closed_port: int) -> None:
    up = await _available(kairos, target)
    down = (await create_resource(kairos, f"127.0.0.1:{closed_port}", resourceType="TCP"))["id"]
    await wait_for_status(kairos, down, "not-available")
    body = (await kairos.anon.get("/api/resources/status-updates", params={"hours": 168})).json()
    by_id = {s["resourceId"]: s for s in body}
    assert by_id[up]["currentStatus"] == "available"
    assert by_id[down]["currentStatus"] == "not-available"
    assert all(len(s["timelineBlocks"]) == 96 for s in body)


async def test_hours_other_than_24_168_or_720_are_a_400(kairos: Running, target: Target) -> None:
    rid = (await create_resource(kairos, target.url("/")))["id"]
    for path in (
        f"/api/resources/{rid}/status-update",
        "/api/resources/status-updates",
        f"/api/resources/{rid}/latency-samples",
    ):
        assert_error(await kairos.client.get(path, params={"hours": 48}), 400, "validation_error", "hours")
    assert_error(
        await kairos.client.get(f"/api/resources/{rid}/status-update", params={"hours": "day"}),
        422,
        "validation_error",
        "hours",
    )


async def test_uptime_is_null_before_any_check(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"), active=False)
    body = (await kairos.anon.get(f"/api/resources/{created['id']}/uptime")).json()
    assert body == {"h24": None, "d7": None, "d30": None}
    status = (await kairos.anon.get(f"/api/resources/{created['id']}/status-update")).json()
    assert status["uptimePercentage"] is None and status["currentStatus"] == "unknown"


async def test_uptime_counts_available_checks(kairos: Running, target: Target) -> None:
    rid = await _available(kairos, target)
    assert (await kairos.anon.get(f"/api/resources/{rid}/uptime")).json() == {
        "h24": 100.0,
        "d7": 100.0,
        "d30": 100.0,
    }


async def test_latency_samples_average_the_recent_checks(kairos: Running, target: Target) -> None:
    rid = await _available(kairos, target)
    for hours in (24, 168, 720):
        samples = (await kairos.client.get(f"/api/resources/{rid}/latency-samples", params={"hours": hours})).json()
        assert 1 <= len(samples) <= 500, hours
        assert samples[-1]["latencyMs"] is not None
        assert set(samples[-1]) == {
            "timestamp",
            "latencyMs",
            "dnsResolutionMs",
            "connectMs",
            "tlsHandshakeMs",
        }


async def test_anonymous_callers_read_latency_samples_unless_the_resource_is_hidden(
    kairos: Running, target: Target
) -> None:
    rid = await _available(kairos, target)
    samples = (await kairos.anon.get(f"/api/resources/{rid}/latency-samples")).json()
    assert len(samples) >= 1 and samples[-1]["latencyMs"] is not None
    group = (await kairos.client.post("/api/groups", json={"name": "ops", "visibility": "HIDDEN"})).json()
    assert (await kairos.client.put(f"/api/resources/{rid}", json={"groupIds": [group["id"]]})).status_code == 200
    assert_error(await kairos.anon.get(f"/api/resources/{rid}/latency-samples"), 404, "not_found")
