"""Configuration as code keeps the fleet's fields: a resource's ``locations`` and ``quorum``, a type's ``quorum``,
through import, export and an import of the export elsewhere; bad values name their line and field."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.harness import Running

DOC = """apiVersion: kairos/v1
kind: KairosConfig
resourceTypes:
  - resourceType: TCP
    quorum: all
resources:
  - name: everywhere
    type: HTTP
    target: http://127.0.0.1:9/
    active: false
  - name: two places
    type: HTTP
    target: http://127.0.0.1:9/two
    active: false
    locations: [eu, us-east]
    quorum: 2
  - name: any of three
    type: TCP
    target: 127.0.0.1:9
    active: false
    locations: [eu, us-east, ap]
    quorum: ANY
"""


async def _import(kairos: Running, text: str) -> dict[str, Any]:
    response = await kairos.client.post("/api/config/import", content=text.encode(), params={"dryRun": "false"})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _export(kairos: Running) -> str:
    response = await kairos.client.get("/api/config/export")
    assert response.status_code == 200
    return response.text


async def _fleet_fields(kairos: Running) -> dict[str, tuple[Any, Any]]:
    listed = (await kairos.client.get("/api/resources")).json()
    return {r["name"]: (r["locations"], r["quorum"]) for r in listed}


async def _type_quorums(kairos: Running) -> dict[str, str]:
    return {t["resourceType"]: t["quorum"] for t in (await kairos.client.get("/api/resource-types")).json()}


EXPECTED = {
    "everywhere": (None, None),
    "two places": (["eu", "us-east"], "2"),
    "any of three": (["eu", "us-east", "ap"], "any"),
}


async def test_an_import_sets_them_and_the_export_carries_them(kairos: Running) -> None:
    await _import(kairos, DOC)
    assert await _fleet_fields(kairos) == EXPECTED
    quorums = await _type_quorums(kairos)  # every other kind keeps the default
    assert {k: quorums[k] for k in ("DOCKER", "HTTP", "TCP")} == {
        "DOCKER": "majority",
        "HTTP": "majority",
        "TCP": "all",
    }
    exported = yaml.safe_load(await _export(kairos))
    by_name = {r["name"]: r for r in exported["resources"]}
    assert "locations" not in by_name["everywhere"] and "quorum" not in by_name["everywhere"]
    assert (by_name["two places"]["locations"], by_name["two places"]["quorum"]) == (["eu", "us-east"], 2)
    assert by_name["any of three"]["quorum"] == "any"
    assert {t["resourceType"]: t["quorum"] for t in exported["resourceTypes"]}["TCP"] == "all"


async def test_the_export_imported_elsewhere_keeps_them_and_reimporting_changes_nothing(
    kairos: Running, elsewhere: Running
) -> None:
    await _import(kairos, DOC)
    exported = await _export(kairos)
    assert (await _import(kairos, exported))["changes"] == []
    await _import(elsewhere, exported)
    assert await _fleet_fields(elsewhere) == EXPECTED
    assert (await _type_quorums(elsewhere))["TCP"] == "all"
    assert await _export(elsewhere) == exported


async def test_leaving_them_out_resets_the_resource_and_keeps_the_type(kairos: Running) -> None:
    await _import(kairos, DOC)
    trimmed = DOC.replace("    locations: [eu, us-east]\n    quorum: 2\n", "").replace("    quorum: all\n", "")
    diff = await _import(kairos, trimmed)
    assert [(c["name"], c["fields"]) for c in diff["changes"]] == [("two places", ["locations", "quorum"])]
    assert (await _fleet_fields(kairos))["two places"] == (None, None)
    assert (await _type_quorums(kairos))["TCP"] == "all"  # a type's setting left out is kept


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("[eu, us-east]", "[eu, US]"), "body:15: resources[1].locations[1]: must be 1 to 32 lower-case"),
        (("[eu, us-east]", "[eu, eu]"), "body:15: resources[1].locations: lists 'eu' twice"),
        (("[eu, us-east]", "[]"), "body:15: resources[1].locations: must name at least one location"),
        (("quorum: 2", "quorum: 0"), "body:16: resources[1].quorum: quorum must be any, majority, all or a number"),
        (("quorum: all", "quorum: most"), "body:5: resourceTypes[0].quorum: quorum must be any"),
    ],
)
async def test_bad_values_name_the_line_and_the_field(kairos: Running, edit: tuple[str, str], expected: str) -> None:
    assert edit[0] in DOC
    response = await kairos.client.post("/api/config/import", content=DOC.replace(*edit, 1).encode())
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(expected), response.json()
    assert (await kairos.client.get("/api/resources")).json() == []
