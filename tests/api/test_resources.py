"""Resources through the REST API: create, read, edit, delete, check now, groups."""

from __future__ import annotations

from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource, wait_for_status
from tests.harness import Running


async def test_creating_a_resource_checks_it_at_once(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"), name="home page")
    assert created["name"] == "home page"
    assert created["resourceType"] == "HTTP"
    body = await wait_for_status(kairos, created["id"], "available")
    assert body["latestCheckStatus"] == "AVAILABLE"
    assert body["latestCheckedAt"] is not None
    assert body["latestLatencyMs"] is not None
    assert body["activeOutageSince"] is None


async def test_a_failing_target_shows_not_available_with_its_error_code(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/fail"))
    body = await wait_for_status(kairos, created["id"], "not-available")
    assert body["latestErrorCode"] == "http_status"
    assert body["latestHttpStatus"] == 500


async def test_a_tcp_resource_on_a_closed_port_is_not_available(kairos: Running, closed_port: int) -> None:
    created = await create_resource(kairos, f"127.0.0.1:{closed_port}", resourceType="TCP")
    body = await wait_for_status(kairos, created["id"], "not-available")
    assert body["latestErrorCode"] == "connect_refused"


async def test_the_list_has_the_java_kairos_shape(kairos: Running, target: Target) -> None:
    group = (await kairos.client.post("/api/groups", json={"name": "web", "displayOrder": 2})).json()
    await create_resource(kairos, target.url("/b"), name="b", displayOrder=2, groupId=group["id"])
    await create_resource(kairos, target.url("/a"), name="a", displayOrder=1, skipTls=True, intervalSeconds=30)
    listed = (await kairos.anon.get("/api/resources")).json()
    assert [r["name"] for r in listed] == ["a", "b"]
    first = listed[0]
    for key in (
        "id",
        "name",
        "resourceType",
        "target",
        "skipTLS",
        "recursive",
        "active",
        "groups",
        "displayOrder",
        "createdAt",
        "intervalSeconds",
        "timeoutSeconds",
        "options",
    ):
        assert key in first
    assert first["skipTLS"] is True
    assert first["intervalSeconds"] == 30
    assert listed[1]["groups"] == [{"id": group["id"], "name": "web", "displayOrder": 2, "visibility": "PUBLIC"}]


async def test_a_url_is_stored_normalised(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/x").replace("http://", "HTTP://"))
    assert created["target"] == target.url("/x")


async def test_editing_a_resource_takes_effect_at_once(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/fail"))
    await wait_for_status(kairos, created["id"], "not-available")
    response = await kairos.client.put(
        f"/api/resources/{created['id']}", json={"target": target.url("/"), "name": "fixed"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "fixed"
    await wait_for_status(kairos, created["id"], "available")


async def test_a_full_update_replaces_every_given_field(kairos: Running, target: Target, closed_port: int) -> None:
    created = await create_resource(kairos, target.url("/"), intervalSeconds=60)
    body = {
        "name": "db",
        "resourceType": "TCP",
        "target": f"127.0.0.1:{closed_port}",
        "active": False,
        "intervalSeconds": None,
        "timeoutSeconds": 3,
        "displayOrder": 5,
    }
    updated = (await kairos.client.put(f"/api/resources/{created['id']}", json=body)).json()
    assert (updated["resourceType"], updated["active"], updated["intervalSeconds"]) == ("TCP", False, None)
    assert (updated["timeoutSeconds"], updated["displayOrder"]) == (3, 5)
    assert updated["options"] == (await kairos.client.get(f"/api/resources/{created['id']}")).json()["options"]


async def test_deleting_a_resource_removes_it(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"))
    response = await kairos.client.delete(f"/api/resources/{created['id']}")
    assert response.status_code == 204
    assert_error(await kairos.client.get(f"/api/resources/{created['id']}"), 404, "not_found")
    assert created["id"] not in kairos.runtime.scheduler.resources


async def test_unknown_resource_ids_are_404(kairos: Running) -> None:
    for method, path in (
        ("GET", "/api/resources/999"),
        ("PUT", "/api/resources/999"),
        ("DELETE", "/api/resources/999"),
        ("POST", "/api/resources/999/check"),
        ("GET", "/api/resources/999/history"),
        ("GET", "/api/resources/999/uptime"),
        ("GET", "/api/resources/99999999999999999999"),
    ):
        response = await kairos.client.request(method, path, json={} if method == "PUT" else None)
        assert_error(response, 404, "not_found")


async def test_checking_now_returns_the_verdict_with_its_phases(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"))
    response = await kairos.client.post(f"/api/resources/{created['id']}/check")
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["status"], result["currentStatus"], result["httpStatus"]) == (
        "AVAILABLE",
        "available",
        200,
    )
    assert result["latencyMs"] is not None and result["connectMs"] is not None
    assert result["errorCode"] is None and result["checkedAt"]


async def test_a_resource_can_be_in_several_groups(kairos: Running, target: Target) -> None:
    ids = [(await kairos.client.post("/api/groups", json={"name": n})).json()["id"] for n in ("a", "b", "c")]
    created = await create_resource(kairos, target.url("/"), groupIds=ids[:2])
    assert {g["id"] for g in created["groups"]} == set(ids[:2])
    moved = (await kairos.client.put(f"/api/resources/{created['id']}", json={"groupIds": ids[1:]})).json()
    assert {g["id"] for g in moved["groups"]} == set(ids[1:])
    cleared = (await kairos.client.put(f"/api/resources/{created['id']}", json={"groupIds": []})).json()
    assert cleared["groups"] == []


async def test_a_group_that_does_not_exist_is_refused(kairos: Running, target: Target) -> None:
    response = await kairos.client.post(
        "/api/resources",
        json={"name": "x", "resourceType": "HTTP", "target": target.url("/"), "groupId": 4242},
    )
    assert_error(response, 422, "validation_error", "groupId")


async def test_anonymous_callers_do_not_see_resources_of_hidden_groups(kairos: Running, target: Target) -> None:
    hidden = (await kairos.client.post("/api/groups", json={"name": "ops", "visibility": "HIDDEN"})).json()
    secret = await create_resource(kairos, target.url("/"), name="secret", groupId=hidden["id"])
    await create_resource(kairos, target.url("/"), name="open")
    assert [r["name"] for r in (await kairos.anon.get("/api/resources")).json()] == ["open"]
    assert_error(await kairos.anon.get(f"/api/resources/{secret['id']}"), 404, "not_found")
    assert {r["name"] for r in (await kairos.client.get("/api/resources")).json()} == {"open", "secret"}
    assert [g["name"] for g in (await kairos.anon.get("/api/groups")).json()] == []


async def test_group_names_are_unique(kairos: Running) -> None:
    assert (await kairos.client.post("/api/groups", json={"name": "web"})).status_code == 201
    assert_error(await kairos.client.post("/api/groups", json={"name": "WEB"}), 409, "conflict", "name")


async def test_groups_can_be_renamed_and_deleted(kairos: Running, target: Target) -> None:
    group = (await kairos.client.post("/api/groups", json={"name": "web"})).json()
    created = await create_resource(kairos, target.url("/"), groupId=group["id"])
    renamed = await kairos.client.put(f"/api/groups/{group['id']}", json={"name": "www", "visibility": "PUBLIC"})
    assert renamed.json()["name"] == "www"
    assert (await kairos.client.delete(f"/api/groups/{group['id']}")).status_code == 204
    assert (await kairos.client.get(f"/api/resources/{created['id']}")).json()["groups"] == []
    assert_error(await kairos.client.delete(f"/api/groups/{group['id']}"), 404, "not_found")
