"""Bulk actions on a selection of resources and cloning one, through the REST API."""

from __future__ import annotations

import logging

import pytest

from tests.api.loopback import GOOD_BASIC, Target
from tests.api.support import assert_error, create_resource, wait_for_status
from tests.harness import Running


async def _group(kairos: Running, name: str) -> int:
    response = await kairos.client.post("/api/groups", json={"name": name})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _groups_of(kairos: Running, rid: int) -> list[str]:
    return [g["name"] for g in (await kairos.client.get(f"/api/resources/{rid}")).json()["groups"]]


async def test_pause_and_resume_change_every_chosen_resource_and_no_other(
    kairos: Running, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [
        (await create_resource(kairos, f"127.0.0.1:{closed_port}", name=f"r{i}", resourceType="TCP"))["id"]
        for i in range(3)
    ]
    caplog.set_level(logging.INFO, "kairos.audit")
    paused = await kairos.client.post("/api/resources/bulk", json={"action": "pause", "resourceIds": ids[:2]})
    assert paused.status_code == 200, paused.text
    assert paused.json() == {"action": "pause", "changed": ids[:2], "deleted": []}
    active = [(await kairos.client.get(f"/api/resources/{i}")).json()["active"] for i in ids]
    assert active == [False, False, True]
    assert any("bulk pause of 2 resources" in r.getMessage() for r in caplog.records)
    await kairos.client.post("/api/resources/bulk", json={"action": "resume", "resourceIds": ids})
    assert [(await kairos.client.get(f"/api/resources/{i}")).json()["active"] for i in ids] == [True] * 3


async def test_move_add_and_remove_set_group_membership(kairos: Running, closed_port: int) -> None:
    web, api = await _group(kairos, "web"), await _group(kairos, "api")
    a = (await create_resource(kairos, f"127.0.0.1:{closed_port}", name="a", resourceType="TCP", groupId=web))["id"]
    b = (await create_resource(kairos, f"127.0.0.1:{closed_port}", name="b", resourceType="TCP"))["id"]
    added = await kairos.client.post(
        "/api/resources/bulk", json={"action": "add_to_group", "resourceIds": [a, b], "groupId": api}
    )
    assert added.status_code == 200, added.text
    assert await _groups_of(kairos, a) == ["web", "api"] and await _groups_of(kairos, b) == ["api"]
    await kairos.client.post("/api/resources/bulk", json={"action": "move", "resourceIds": [a], "groupId": web})
    assert await _groups_of(kairos, a) == ["web"]
    await kairos.client.post(
        "/api/resources/bulk", json={"action": "remove_from_group", "resourceIds": [a, b], "groupId": api}
    )
    assert await _groups_of(kairos, a) == ["web"] and await _groups_of(kairos, b) == []
    members = (await kairos.client.get(f"/api/groups/{web}/resources")).json()
    assert [m["id"] for m in members] == [a]


async def test_delete_removes_them_and_an_unknown_id_changes_nothing(kairos: Running, closed_port: int) -> None:
    ids = [
        (await create_resource(kairos, f"127.0.0.1:{closed_port}", name=f"d{i}", resourceType="TCP"))["id"]
        for i in range(2)
    ]
    refused = await kairos.client.post("/api/resources/bulk", json={"action": "delete", "resourceIds": [*ids, 424242]})
    assert_error(refused, 404, "not_found")
    assert refused.json()["error"]["field"] == "resourceIds" and "424242" in refused.json()["error"]["message"]
    assert [(await kairos.client.get(f"/api/resources/{i}")).status_code for i in ids] == [200, 200]
    deleted = await kairos.client.post("/api/resources/bulk", json={"action": "delete", "resourceIds": ids})
    assert deleted.json() == {"action": "delete", "changed": [], "deleted": ids}
    assert [(await kairos.client.get(f"/api/resources/{i}")).status_code for i in ids] == [404, 404]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"action": "move", "resourceIds": [1]}, 422, "groupId"),
        ({"action": "move", "resourceIds": [1], "groupId": 9999}, 404, "groupId"),
        ({"action": "explode", "resourceIds": [1]}, 422, "action"),
        ({"action": "pause", "resourceIds": []}, 422, "resourceIds"),
        ({"action": "pause", "resourceIds": list(range(1, 1003))}, 422, "resourceIds"),
    ],
)
async def test_bad_bulk_bodies_are_refused_naming_the_field(
    kairos: Running, closed_port: int, body: dict[str, object], status: int, field: str
) -> None:
    await create_resource(kairos, f"127.0.0.1:{closed_port}", name="one", resourceType="TCP")
    response = await kairos.client.post("/api/resources/bulk", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field


async def test_a_clone_copies_settings_header_values_and_groups_and_waits_paused(
    kairos: Running, target: Target
) -> None:
    web = await _group(kairos, "web")
    source = await create_resource(
        kairos,
        target.url("/auth"),
        name="private api",
        groupId=web,
        intervalSeconds=30,
        options={"headers": {"Authorization": GOOD_BASIC}},
    )
    cloned = await kairos.client.post(f"/api/resources/{source['id']}/clone")
    assert cloned.status_code == 201, cloned.text
    copy = cloned.json()
    assert copy["id"] != source["id"] and copy["name"] == "private api (copy)" and copy["active"] is False
    assert copy["intervalSeconds"] == 30 and [g["name"] for g in copy["groups"]] == ["web"]
    assert copy["options"]["headers"] == {"Authorization": "********"}  # masked in answers, as ever
    live = await kairos.client.post(f"/api/resources/{source['id']}/clone", json={"name": "second", "active": True})
    assert live.status_code == 201
    # The stored header value came along: /auth answers 200 only to it.
    body = await wait_for_status(kairos, live.json()["id"], "available")
    assert body["name"] == "second"


async def test_cloning_needs_resource_manage_and_an_existing_resource(kairos: Running, closed_port: int) -> None:
    rid = (await create_resource(kairos, f"127.0.0.1:{closed_port}", name="x", resourceType="TCP"))["id"]
    key = (await kairos.client.post("/api/api-keys", json={"name": "reader", "scopes": ["STATUS_READ"]})).json()["key"]
    refused = await kairos.anon.post(f"/api/resources/{rid}/clone", headers={"X-API-Key": key})
    assert_error(refused, 403, "forbidden")
    assert_error(await kairos.client.post("/api/resources/424242/clone"), 404, "not_found")


async def test_tag_sets_a_key_on_each_and_untag_takes_exactly_that_tag_off(kairos: Running, closed_port: int) -> None:
    two = [{"key": "env", "value": "dev"}, {"key": "team", "value": "web"}]
    a = (await create_resource(kairos, f"127.0.0.1:{closed_port}", name="a", resourceType="TCP", tags=two))["id"]
    b = (await create_resource(kairos, f"127.0.0.1:{closed_port}", name="b", resourceType="TCP"))["id"]
    body = {"action": "tag", "resourceIds": [a, b], "tag": {"key": "env", "value": "prod"}}
    assert (await kairos.client.post("/api/resources/bulk", json=body)).status_code == 200

    async def tags_of(rid: int) -> list[str]:
        listed = (await kairos.client.get(f"/api/resources/{rid}")).json()["tags"]
        return sorted(f"{t['key']}:{t['value']}" for t in listed)

    assert await tags_of(a) == ["env:prod", "team:web"] and await tags_of(b) == ["env:prod"]
    tagged = (await kairos.client.get("/api/resources", params={"tag": "env:prod"})).json()
    assert sorted(r["id"] for r in tagged) == [a, b]
    off = {"action": "untag", "resourceIds": [a, b], "tag": {"key": "team", "value": "web"}}
    assert (await kairos.client.post("/api/resources/bulk", json=off)).status_code == 200
    assert await tags_of(a) == ["env:prod"] and await tags_of(b) == ["env:prod"]
    missing = await kairos.client.post("/api/resources/bulk", json={"action": "tag", "resourceIds": [a]})
    assert_error(missing, 422, "validation_error")
    assert missing.json()["error"]["field"] == "tag"
