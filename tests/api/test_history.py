"""History: newest first, paginated with a cursor, filtered by time and status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kairos.services.site import SiteSettings
from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource, wait_for_history, wait_for_status
from tests.harness import Running


async def _checked(kairos: Running, target: Target, times: int) -> int:
    created = await create_resource(kairos, target.url("/"), intervalSeconds=3600)
    rid = int(created["id"])
    await wait_for_status(kairos, rid, "available")  # the check made at creation is over
    for _ in range(times - 1):
        assert (await kairos.client.post(f"/api/resources/{rid}/check")).status_code == 200
    await kairos.runtime.scheduler.flush_results()
    await wait_for_history(kairos, rid, times)
    return rid


async def test_history_lists_results_newest_first(kairos: Running, target: Target) -> None:
    rid = await _checked(kairos, target, 3)
    items = (await kairos.client.get(f"/api/resources/{rid}/history")).json()
    assert len(items) == 3
    times = [i["checkedAt"] for i in items]
    assert times == sorted(times, reverse=True)
    item = items[0]
    assert (item["status"], item["httpStatus"], item["errorCode"], item["resourceId"]) == (
        "AVAILABLE",
        200,
        None,
        rid,
    )
    for key in (
        "id",
        "message",
        "latencyMs",
        "dnsResolutionMs",
        "connectMs",
        "tlsHandshakeMs",
        "timeToFirstByteMs",
        "details",
    ):
        assert key in item


async def test_history_pages_with_the_next_before_cursor(kairos: Running, target: Target) -> None:
    rid = await _checked(kairos, target, 5)
    seen: list[int] = []
    params: dict[str, str | int] = {"limit": 2}
    for _ in range(5):
        response = await kairos.client.get(f"/api/resources/{rid}/history", params=params)
        seen += [i["id"] for i in response.json()]
        cursor = response.headers.get("X-Next-Before")
        if cursor is None:
            break
        assert 'rel="next"' in response.headers["Link"]
        params = {"limit": 2, "before": cursor}
    assert len(seen) == 5 and len(set(seen)) == 5


async def test_history_filters_by_status_and_time(kairos: Running, target: Target) -> None:
    rid = await _checked(kairos, target, 2)
    url = f"/api/resources/{rid}/history"
    assert (await kairos.client.get(url, params={"status": "NOT_AVAILABLE"})).json() == []
    assert len((await kairos.client.get(url, params={"status": "available"})).json()) == 2
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert (await kairos.client.get(url, params={"from": future})).json() == []
    assert len((await kairos.client.get(url, params={"to": future})).json()) == 2
    assert (await kairos.client.get(url, params={"before": "2000-01-01T00:00:00Z"})).json() == []


async def test_bad_history_parameters_are_named(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"))
    url = f"/api/resources/{created['id']}/history"
    assert_error(await kairos.client.get(url, params={"limit": 0}), 422, "validation_error", "limit")
    assert_error(await kairos.client.get(url, params={"limit": 1001}), 422, "validation_error", "limit")
    assert_error(await kairos.client.get(url, params={"before": "yesterday"}), 422, "validation_error", "before")
    assert_error(await kairos.client.get(url, params={"before": "123456789"}), 422, "validation_error", "before")
    assert_error(await kairos.client.get(url, params={"status": "UP"}), 422, "validation_error", "status")
    assert_error(await kairos.client.get(url, params={"from": "not-a-time"}), 422, "validation_error", "from")
    for name in ("from", "to", "before"):
        response = await kairos.client.get(url, params={name: "0001-01-01T00:00:00+01:00"})
        assert_error(response, 422, "validation_error", name)


async def test_anonymous_callers_read_the_history_of_a_visible_resource(kairos: Running, target: Target) -> None:
    rid = await _checked(kairos, target, 2)
    items = (await kairos.anon.get(f"/api/resources/{rid}/history")).json()
    assert len(items) == 2 and items[0]["message"].startswith("HTTP 200")
    assert items[0]["details"]["final_url"] == target.url("/")


async def test_anonymous_callers_get_no_target_in_messages_or_details_when_targets_are_hidden(
    kairos: Running, target: Target
) -> None:
    rid = await _checked(kairos, target, 1)
    kairos.runtime.site = SiteSettings(show_targets=False)
    anonymous = (await kairos.anon.get(f"/api/resources/{rid}/history")).json()[0]
    assert anonymous["message"] == "Available (HTTP 200)"
    assert "final_url" not in anonymous["details"] and anonymous["details"]["redirects"] == 0
    full = (await kairos.client.get(f"/api/resources/{rid}/history")).json()[0]
    assert full["details"]["final_url"] == target.url("/")


async def test_a_hidden_resources_history_is_404_for_anonymous_callers(kairos: Running, target: Target) -> None:
    group = (await kairos.client.post("/api/groups", json={"name": "ops", "visibility": "HIDDEN"})).json()
    rid = (await create_resource(kairos, target.url("/"), groupIds=[group["id"]]))["id"]
    assert_error(await kairos.anon.get(f"/api/resources/{rid}/history"), 404, "not_found")
    assert (await kairos.client.get(f"/api/resources/{rid}/history")).status_code == 200


async def test_history_results_carry_their_location_and_filter_by_it(kairos: Running, target: Target) -> None:
    rid = await _checked(kairos, target, 3)
    url = f"/api/resources/{rid}/history"
    items = (await kairos.client.get(url, params={"location": "local"})).json()
    assert [i["location"] for i in items] == ["local"] * 3  # a single process checks in "local"
    assert (await kairos.client.get(url, params={"location": "eu"})).json() == []
    first = await kairos.client.get(url, params={"limit": 2})
    assert first.headers["X-Next-Before"] == f"{first.json()[-1]['id']}@local"
    rest = (await kairos.client.get(url, params={"before": first.headers["X-Next-Before"]})).json()
    assert [i["id"] for i in rest] == [items[-1]["id"]]
    assert_error(await kairos.client.get(url, params={"location": "Eu West"}), 422, "validation_error", "location")
    cursor = f"{items[0]['id']}@eu"  # that millisecond was checked in "local" only
    assert_error(await kairos.client.get(url, params={"before": cursor}), 422, "validation_error", "before")
