"""Outages open after the failure threshold and close after the recovery threshold."""

from __future__ import annotations

from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource, wait_for_status
from tests.harness import Running, wait_for


async def _check(kairos: Running, rid: int) -> None:
    assert (await kairos.client.post(f"/api/resources/{rid}/check")).status_code == 200


async def _outages(kairos: Running, path: str, **params: str | int) -> list[dict[str, object]]:
    await kairos.runtime.scheduler.flush_results()
    response = await kairos.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_an_outage_opens_and_closes_by_the_thresholds(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/fail"), name="flaky", intervalSeconds=3600)
    rid = created["id"]
    await wait_for_status(kairos, rid, "not-available")
    for _ in range(2):  # with the check at creation: three failures, the default threshold
        await _check(kairos, rid)
    detail = (await kairos.client.get(f"/api/resources/{rid}")).json()
    assert detail["activeOutageSince"] is not None

    active = await wait_for(lambda: _outages(kairos, "/api/outages", active="true"))
    assert len(active) == 1
    outage = active[0]
    assert (outage["resourceId"], outage["resourceName"], outage["resourceType"]) == (rid, "flaky", "HTTP")
    assert (outage["active"], outage["endDate"], outage["errorCode"]) == (True, None, "http_status")
    assert isinstance(outage["durationMinutes"], int)

    await kairos.client.put(f"/api/resources/{rid}", json={"target": target.url("/")})
    await wait_for_status(kairos, rid, "available")
    await _check(kairos, rid)  # two successes close it
    closed = await wait_for(lambda: _outages(kairos, f"/api/resources/{rid}/outages", active="false"))
    assert closed[0]["active"] is False and closed[0]["endDate"] is not None
    assert await _outages(kairos, "/api/outages", active="true") == []


async def test_outages_can_be_filtered_by_resource(kairos: Running, target: Target) -> None:
    rid = (await create_resource(kairos, target.url("/")))["id"]
    assert await _outages(kairos, "/api/outages", resourceId=rid, limit=5) == []
    assert_error(await kairos.client.get("/api/outages", params={"limit": 0}), 422, "validation_error", "limit")
    assert_error(await kairos.client.get("/api/resources/4242/outages"), 404, "not_found")
