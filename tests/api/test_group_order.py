"""The order of groups and of the resources in each group, through the REST API."""

from __future__ import annotations

from typing import Any

from tests.api.support import assert_error, create_resource
from tests.harness import Running
from tests.web.pages import add_user


async def group(kairos: Running, name: str, **fields: Any) -> int:
    answer = await kairos.client.post("/api/groups", json={"name": name, **fields})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


async def resource(kairos: Running, name: str, **fields: Any) -> int:
    # Inactive: never checked, so these tests touch only the database.
    body = {"name": name, "resourceType": "TCP", "target": "127.0.0.1:9", "active": False, **fields}
    answer = await kairos.client.post("/api/resources", json=body)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


async def members(kairos: Running, group_id: int) -> list[str]:
    answer = await kairos.client.get(f"/api/groups/{group_id}/resources")
    assert answer.status_code == 200, answer.text
    return [m["name"] for m in answer.json()]


async def test_groups_come_back_in_the_order_they_were_put_in(kairos: Running) -> None:
    a, b, c = [await group(kairos, n) for n in "abc"]
    answer = await kairos.client.put("/api/groups/order", json={"groupIds": [c, a, b]})
    assert answer.status_code == 200, answer.text
    assert [(g["name"], g["displayOrder"]) for g in answer.json()] == [("c", 0), ("a", 1), ("b", 2)]
    listed = (await kairos.client.get("/api/groups")).json()
    assert [g["name"] for g in listed] == ["c", "a", "b"]


async def test_a_new_group_without_an_order_comes_last(kairos: Running) -> None:
    a, b = await group(kairos, "a"), await group(kairos, "b")
    await kairos.client.put("/api/groups/order", json={"groupIds": [b, a]})
    await group(kairos, "new")
    assert [g["name"] for g in (await kairos.client.get("/api/groups")).json()] == ["b", "a", "new"]


async def test_the_group_order_must_name_every_group_exactly_once(kairos: Running) -> None:
    a, b, c = [await group(kairos, n) for n in "abc"]
    missing = assert_error(await kairos.client.put("/api/groups/order", json={"groupIds": [a, b]}), 422,
                           "validation_error", "groupIds")  # fmt: skip
    assert str(c) in missing["message"] and "every group" in missing["message"]
    twice = await kairos.client.put("/api/groups/order", json={"groupIds": [a, b, a, c]})
    assert "more than once" in assert_error(twice, 422, "validation_error", "groupIds[2]")["message"]
    unknown = await kairos.client.put("/api/groups/order", json={"groupIds": [a, b, c, 4242]})
    assert "does not exist" in assert_error(unknown, 422, "validation_error", "groupIds[3]")["message"]
    assert_error(await kairos.client.put("/api/groups/order", json={"ids": [a]}), 422, "validation_error", "groupIds")
    assert_error(await kairos.client.put("/api/groups/order", json={"groupIds": [0]}), 422, "validation_error",
                 "groupIds[0]")  # fmt: skip
    # Nothing was changed by the refused requests.
    assert [g["name"] for g in (await kairos.client.get("/api/groups")).json()] == ["a", "b", "c"]


async def test_putting_a_groups_members_sets_who_is_in_it_and_their_order(kairos: Running) -> None:
    g = await group(kairos, "web")
    one, two, three = [await resource(kairos, n) for n in ("one", "two", "three")]
    answer = await kairos.client.put(f"/api/groups/{g}/order", json={"resourceIds": [three, one]})
    assert answer.status_code == 200, answer.text
    assert [(m["id"], m["displayOrder"]) for m in answer.json()] == [(three, 0), (one, 1)]
    assert await members(kairos, g) == ["three", "one"]
    await kairos.client.put(f"/api/groups/{g}/order", json={"resourceIds": [one, two, three]})
    assert await members(kairos, g) == ["one", "two", "three"]
    await kairos.client.put(f"/api/groups/{g}/order", json={"resourceIds": [two]})
    assert await members(kairos, g) == ["two"]
    detail = (await kairos.client.get(f"/api/resources/{one}")).json()
    assert detail["groups"] == []  # left the group, still exists
    await kairos.client.put(f"/api/groups/{g}/order", json={"resourceIds": []})
    assert await members(kairos, g) == []


async def test_a_resource_in_two_groups_has_its_own_place_in_each(kairos: Running) -> None:
    web, ops = await group(kairos, "web"), await group(kairos, "ops")
    shared, a, b = [await resource(kairos, n) for n in ("shared", "a", "b")]
    await kairos.client.put(f"/api/groups/{web}/order", json={"resourceIds": [shared, a]})
    await kairos.client.put(f"/api/groups/{ops}/order", json={"resourceIds": [b, shared]})
    assert await members(kairos, web) == ["shared", "a"]
    assert await members(kairos, ops) == ["b", "shared"]
    groups = (await kairos.client.get(f"/api/resources/{shared}")).json()["groups"]
    assert {g["name"] for g in groups} == {"web", "ops"}
    # Moving it out of one group leaves the other alone.
    await kairos.client.put(f"/api/groups/{web}/order", json={"resourceIds": [a]})
    assert await members(kairos, ops) == ["b", "shared"]


async def test_moving_a_resource_between_groups_is_two_puts(kairos: Running) -> None:
    web, ops = await group(kairos, "web"), await group(kairos, "ops")
    r = await resource(kairos, "r", groupIds=[web])
    await kairos.client.put(f"/api/groups/{ops}/order", json={"resourceIds": [r]})
    await kairos.client.put(f"/api/groups/{web}/order", json={"resourceIds": []})
    groups = (await kairos.client.get(f"/api/resources/{r}")).json()["groups"]
    assert [g["name"] for g in groups] == ["ops"]


async def test_member_lists_with_unknown_or_repeated_resources_are_refused(kairos: Running) -> None:
    g = await group(kairos, "web")
    r = await resource(kairos, "r")
    unknown = await kairos.client.put(f"/api/groups/{g}/order", json={"resourceIds": [r, 4242]})
    assert "resource 4242 does not exist" in assert_error(unknown, 422, "validation_error", "resourceIds[1]")["message"]
    assert_error(await kairos.client.put(f"/api/groups/{g}/order", json={"resourceIds": [r, r]}), 422,
                 "validation_error", "resourceIds[1]")  # fmt: skip
    assert_error(await kairos.client.put(f"/api/groups/{g}/order", json={"resourceIds": "x"}), 422,
                 "validation_error", "resourceIds")  # fmt: skip
    assert_error(await kairos.client.put("/api/groups/4242/order", json={"resourceIds": [r]}), 404, "not_found")
    assert_error(await kairos.client.get("/api/groups/4242/resources"), 404, "not_found")
    assert await members(kairos, g) == []


async def test_ordering_needs_an_admin_and_reading_members_needs_credentials(kairos: Running) -> None:
    g = await group(kairos, "web")
    assert_error(await kairos.anon.put("/api/groups/order", json={"groupIds": [g]}), 401, "unauthorized")
    assert_error(await kairos.anon.put(f"/api/groups/{g}/order", json={"resourceIds": []}), 401, "unauthorized")
    assert_error(await kairos.anon.get(f"/api/groups/{g}/resources"), 401, "unauthorized")
    await add_user(kairos, "reader@example.com", "reader-password")
    auth = ("reader@example.com", "reader-password")
    r = await kairos.anon.put("/api/groups/order", json={"groupIds": [g]}, auth=auth)
    assert_error(r, 403, "forbidden")
    r = await kairos.anon.put(f"/api/groups/{g}/order", json={"resourceIds": []}, auth=auth)
    assert_error(r, 403, "forbidden")
    assert (await kairos.anon.get(f"/api/groups/{g}/resources", auth=auth)).status_code == 200


async def test_the_order_endpoints_are_documented(kairos: Running) -> None:
    paths = (await kairos.anon.get("/v3/api-docs")).json()["paths"]
    assert "put" in paths["/api/groups/order"] and "put" in paths["/api/groups/{group_id}/order"]
    assert paths["/api/groups/order"]["put"]["description"].startswith("Needs an admin")
    assert "get" in paths["/api/groups/{group_id}/resources"]


async def test_a_resource_added_to_a_group_goes_to_its_end(kairos: Running) -> None:
    group = (await kairos.client.post("/api/groups", json={"name": "ordered"})).json()
    ids = [(await create_resource(kairos, "http://127.0.0.1:9/", name=f"r{i}")).get("id") for i in range(3)]
    r = await kairos.client.put(f"/api/groups/{group['id']}/order", json={"resourceIds": [ids[2], ids[0], ids[1]]})
    assert r.status_code in (200, 204), r.text
    late = await create_resource(kairos, "http://127.0.0.1:9/", name="a-late-one", groupIds=[group["id"]])
    listed = (await kairos.client.get(f"/api/groups/{group['id']}/resources")).json()
    order = [item["id"] for item in (listed["resources"] if isinstance(listed, dict) else listed)]
    assert order == [ids[2], ids[0], ids[1], late["id"]]
