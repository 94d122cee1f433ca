"""Tags on resources through the API: set, replace, remove, the shared colour, the ``?tag=`` filter, and
validation with the field named."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.support import assert_error
from tests.harness import Running

BASE = {"resourceType": "TCP", "target": "127.0.0.1:9", "active": False}


async def _create(kairos: Running, name: str, **fields: Any) -> dict[str, Any]:
    r = await kairos.client.post("/api/resources", json={"name": name, **BASE, **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_a_resource_carries_tags_and_an_edit_replaces_them(kairos: Running) -> None:
    created = await _create(kairos, "shop", tags=[{"key": "Team", "value": "payments", "colour": "#AA0000"},
                                                  {"key": "env", "value": "prod"}])  # fmt: skip
    assert created["tags"][0]["key"] == "env" and created["tags"][0]["colour"].startswith("#")
    assert created["tags"][1] == {"key": "team", "value": "payments", "colour": "#aa0000"}
    url = f"/api/resources/{created['id']}"
    r = await kairos.client.put(url, json={"name": "shop 2"})
    assert len(r.json()["tags"]) == 2  # left out: kept
    r = await kairos.client.put(url, json={"tags": [{"key": "env", "value": "staging"}]})
    assert [(t["key"], t["value"]) for t in r.json()["tags"]] == [("env", "staging")]
    r = await kairos.client.put(url, json={"tags": None})
    assert r.json()["tags"] == []
    assert (await kairos.anon.get(url)).json()["tags"] == []


async def test_a_tag_has_one_colour_shared_by_every_resource_carrying_it(kairos: Running) -> None:
    a = await _create(kairos, "a", tags=[{"key": "env", "value": "prod", "colour": "#123456"}])
    await _create(kairos, "b", tags=[{"key": "env", "value": "prod", "colour": "#654321"}])
    again = (await kairos.client.get(f"/api/resources/{a['id']}")).json()
    assert again["tags"][0]["colour"] == "#654321"


async def test_the_list_filters_by_tag(kairos: Running) -> None:
    prod = await _create(kairos, "prod-shop", tags=[{"key": "env", "value": "prod"}])
    await _create(kairos, "staging-shop", tags=[{"key": "env", "value": "staging"}])
    await _create(kairos, "untagged")
    r = await kairos.anon.get("/api/resources", params={"tag": "env:prod"})
    assert [x["id"] for x in r.json()] == [prod["id"]]
    r = await kairos.anon.get("/api/resources", params={"tag": "env:nothing"})
    assert r.json() == []
    # A value may hold a colon: only the first one separates the key.
    url_res = await _create(kairos, "url", tags=[{"key": "owner", "value": "team:web"}])
    r = await kairos.anon.get("/api/resources", params={"tag": "owner:team:web"})
    assert [x["id"] for x in r.json()] == [url_res["id"]]


async def test_a_hidden_resources_tags_are_not_listed_to_anonymous_callers(kairos: Running) -> None:
    g = (await kairos.client.post("/api/groups", json={"name": "ops", "visibility": "HIDDEN"})).json()["id"]
    await _create(kairos, "secret", groupIds=[g], tags=[{"key": "env", "value": "prod"}])
    assert (await kairos.anon.get("/api/resources", params={"tag": "env:prod"})).json() == []
    assert len((await kairos.client.get("/api/resources", params={"tag": "env:prod"})).json()) == 1


@pytest.mark.parametrize("text", ["envprod", ":prod", "env:", "1env:prod", "e nv:prod", "env:\u0000x"])
async def test_a_malformed_tag_filter_is_a_422_naming_it(kairos: Running, text: str) -> None:
    assert_error(await kairos.anon.get("/api/resources", params={"tag": text}), 422, "validation_error", "tag")


@pytest.mark.parametrize(
    ("tags", "field"),
    [
        ([{"key": "", "value": "x"}], "tags[0].key"),
        ([{"key": "has space", "value": "x"}], "tags[0].key"),
        ([{"key": "k:v", "value": "x"}], "tags[0].key"),
        ([{"key": "k", "value": ""}], "tags[0].value"),
        ([{"key": "k", "value": "x" * 129}], "tags[0].value"),
        ([{"key": "k", "value": "a\u202eb"}], "tags[0].value"),
        ([{"key": "k", "value": "x", "colour": "red"}], "tags[0].colour"),
        ([{"key": "k", "value": "x", "colour": "#12345"}], "tags[0].colour"),
        ([{"key": "k", "value": "x"}, {"key": "K", "value": "y"}], "tags[1].key"),
        ([{"key": f"k{i}", "value": "x"} for i in range(33)], "tags"),
    ],
)
async def test_bad_tags_are_refused_with_the_field_named(kairos: Running, tags: Any, field: str) -> None:
    r = await kairos.client.post("/api/resources", json={"name": "x", **BASE, "tags": tags})
    assert_error(r, 422, "validation_error", field)
