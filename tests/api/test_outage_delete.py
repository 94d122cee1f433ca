"""``DELETE /api/outages/{id}``: an admin removes a closed outage (audited); an active one is refused with 409
``outage_active`` and still closes by recovery as usual."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from kairos.db.models import Outage
from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource, wait_for_status
from tests.harness import Running, wait_for
from tests.web.pages import add_user
from tests.web.resource_seed import add_outage, add_resource


async def _outage_ids(kairos: Running, **params: str | int) -> list[int]:
    response = await kairos.client.get("/api/outages", params=params)
    assert response.status_code == 200, response.text
    return [int(o["id"]) for o in response.json()]


async def _closed(kairos: Running, name: str) -> tuple[int, int]:
    """A resource with one closed outage: (resource id, outage id)."""
    rid = await add_resource(kairos, name)
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    await add_outage(kairos, rid, start, start + timedelta(minutes=45))
    ids = await _outage_ids(kairos, resourceId=rid)
    assert len(ids) == 1
    return rid, ids[0]


async def test_an_admin_deletes_a_closed_outage_and_the_log_says_who_and_which(
    kairos: Running, caplog: pytest.LogCaptureFixture
) -> None:
    rid, oid = await _closed(kairos, "Billing API")
    _, other = await _closed(kairos, "Search")
    with caplog.at_level(logging.INFO, logger="kairos.audit"):
        assert (await kairos.client.delete(f"/api/outages/{oid}")).status_code == 204
    assert await _outage_ids(kairos, resourceId=rid) == []
    assert other in await _outage_ids(kairos)  # only that one
    lines = [r.getMessage() for r in caplog.records if r.name == "kairos.audit"]
    assert len(lines) == 1
    line = lines[0]
    assert f"outage {oid} of resource {rid} 'Billing API'" in line
    assert "2026-03-29T00:30:00Z to 2026-03-29T01:15:00Z" in line
    assert "deleted by API key" in line
    assert_error(await kairos.client.delete(f"/api/outages/{oid}"), 404, "not_found")  # gone: no second line
    assert len([r for r in caplog.records if r.name == "kairos.audit"]) == 1


async def test_an_admin_user_is_named_in_the_audit_line(kairos: Running, caplog: pytest.LogCaptureFixture) -> None:
    await add_user(kairos, "ops@example.com", "ops-password-long", role="ADMIN")
    _, oid = await _closed(kairos, "Mail")
    with caplog.at_level(logging.INFO, logger="kairos.audit"):
        r = await kairos.anon.delete(f"/api/outages/{oid}", auth=("ops@example.com", "ops-password-long"))
    assert r.status_code == 204, r.text
    assert any("<ops@example.com>" in r.getMessage() for r in caplog.records if r.name == "kairos.audit")


async def test_only_an_admin_may_delete_an_outage(kairos: Running) -> None:
    _, oid = await _closed(kairos, "Portal")
    read = await kairos.client.post("/api/api-keys", json={"name": "reader", "role": "READ"})
    assert read.status_code == 201, read.text
    headers = {"Authorization": f"Bearer {read.json()['key']}"}
    assert_error(await kairos.anon.delete(f"/api/outages/{oid}", headers=headers), 403, "forbidden")
    assert_error(await kairos.anon.delete(f"/api/outages/{oid}"), 401, "unauthorized")
    await add_user(kairos, "user@example.com", "user-password")
    r = await kairos.anon.delete(f"/api/outages/{oid}", auth=("user@example.com", "user-password"))
    assert_error(r, 403, "forbidden")
    assert oid in await _outage_ids(kairos)


async def test_unknown_and_malformed_ids_are_not_found(kairos: Running) -> None:
    assert_error(await kairos.client.delete("/api/outages/4242"), 404, "not_found")
    assert_error(await kairos.client.delete(f"/api/outages/{2**40}"), 404, "not_found")
    assert_error(await kairos.client.delete("/api/outages/abc"), 422, "validation_error", "outageId")


async def _check(kairos: Running, rid: int) -> None:
    assert (await kairos.client.post(f"/api/resources/{rid}/check")).status_code == 200


async def test_an_active_outage_is_refused_and_still_closes_by_recovery(kairos: Running, target: Target) -> None:
    rid = (await create_resource(kairos, target.url("/fail"), name="flaky", intervalSeconds=3600))["id"]
    await wait_for_status(kairos, rid, "not-available")
    for _ in range(2):  # with the check at creation: three failures open the outage
        await _check(kairos, rid)

    async def active() -> list[int]:
        await kairos.runtime.scheduler.flush_results()
        return await _outage_ids(kairos, active="true")

    [oid] = await wait_for(active)
    error = assert_error(await kairos.client.delete(f"/api/outages/{oid}"), 409, "outage_active")
    assert "recovers" in error["message"]
    assert (await kairos.client.get(f"/api/resources/{rid}")).json()["activeOutageSince"] is not None

    await kairos.client.put(f"/api/resources/{rid}", json={"target": target.url("/")})
    await wait_for_status(kairos, rid, "available")
    await _check(kairos, rid)  # two successes close the very same outage: no second row, nothing reopened

    async def closed() -> list[int]:
        await kairos.runtime.scheduler.flush_results()
        return await _outage_ids(kairos, active="false", resourceId=rid)

    assert await wait_for(closed) == [oid]
    assert (await kairos.client.delete(f"/api/outages/{oid}")).status_code == 204
    assert await _outage_ids(kairos, resourceId=rid) == []
    assert (await kairos.client.get(f"/api/resources/{rid}")).json()["activeOutageSince"] is None
    async with kairos.runtime.sessionmaker() as session:
        assert await session.get(Outage, oid) is None
