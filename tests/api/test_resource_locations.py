"""A resource's fleet settings through the REST API: the locations that check it and its quorum policy."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource
from tests.harness import Running


async def test_locations_and_quorum_are_stored_canonical_and_answered(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"), locations=[" eu ", "us-east"], quorum=" ALL ")
    assert (created["locations"], created["quorum"]) == (["eu", "us-east"], "all")
    rid = created["id"]
    read = (await kairos.client.get(f"/api/resources/{rid}")).json()
    assert (read["locations"], read["quorum"]) == (["eu", "us-east"], "all")
    listed = {r["id"]: r for r in (await kairos.anon.get("/api/resources")).json()}
    assert (listed[rid]["locations"], listed[rid]["quorum"]) == (["eu", "us-east"], "all")


async def test_defaults_are_null_every_location_and_the_kinds_quorum(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"))
    assert (created["locations"], created["quorum"]) == (None, None)
    assert created["locationStatus"] == []  # a single process has no per-location results


@pytest.mark.parametrize(("given", "stored"), [(2, "2"), ("02", "2"), ("64", "64"), ("Majority", "majority")])
async def test_a_numeric_or_named_quorum_is_canonical(
    kairos: Running, target: Target, given: object, stored: str
) -> None:
    created = await create_resource(kairos, target.url("/"), quorum=given)
    assert created["quorum"] == stored


async def test_an_update_changes_keeps_and_clears_them(kairos: Running, target: Target) -> None:
    rid = (await create_resource(kairos, target.url("/"), locations=["eu"], quorum="any"))["id"]
    url = f"/api/resources/{rid}"

    async def put(body: dict[str, Any]) -> dict[str, Any]:
        response = await kairos.client.put(url, json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    assert (await put({"name": "renamed"}))["locations"] == ["eu"]  # left out: kept
    changed = await put({"locations": ["us", "eu", "ap"], "quorum": 2})
    assert (changed["locations"], changed["quorum"]) == (["us", "eu", "ap"], "2")
    cleared = await put({"locations": None, "quorum": None})
    assert (cleared["locations"], cleared["quorum"]) == (None, None)
    assert (await kairos.client.get(url)).json()["locations"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"locations": []}, "locations"),
        ({"locations": "eu"}, "locations"),
        ({"locations": ["EU"]}, "locations[0]"),
        ({"locations": ["eu", "us west"]}, "locations[1]"),
        ({"locations": ["eu", "-x"]}, "locations[1]"),
        ({"locations": ["eu", 7]}, "locations[1]"),
        ({"locations": ["a" * 33]}, "locations[0]"),
        ({"locations": ["eu", "us", "eu"]}, "locations"),
        ({"locations": [f"l{i}" for i in range(17)]}, "locations"),
        ({"quorum": "most"}, "quorum"),
        ({"quorum": 0}, "quorum"),
        ({"quorum": 65}, "quorum"),
        ({"quorum": "-1"}, "quorum"),
        ({"quorum": True}, "quorum"),
        ({"quorum": 1.5}, "quorum"),
        ({"quorum": ""}, "quorum"),
    ],
)
async def test_bad_locations_or_quorum_are_named(
    kairos: Running, target: Target, body: dict[str, Any], field: str
) -> None:
    fields = {"name": "x", "resourceType": "HTTP", "target": target.url("/"), **body}
    error = assert_error(await kairos.client.post("/api/resources", json=fields), 422, "validation_error", field)
    assert "Traceback" not in error["message"]
    rid = (await create_resource(kairos, target.url("/")))["id"]
    assert_error(await kairos.client.put(f"/api/resources/{rid}", json=body), 422, "validation_error", field)


async def test_the_openapi_document_explains_them(kairos: Running) -> None:
    schemas = (await kairos.anon.get("/openapi.json")).json()["components"]["schemas"]
    for model in ("ResourceCreate", "ResourceUpdate"):
        props = schemas[model]["properties"]
        assert "fleet" in str(props["locations"]) and "fleet" in str(props["quorum"])
        assert "majority" in str(props["quorum"])
