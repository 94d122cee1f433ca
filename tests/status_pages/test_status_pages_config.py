"""Config as code: ``statusPages`` and resource ``tags`` are imported, reported in the plan and exported back."""

from __future__ import annotations

from typing import Any

import yaml

from tests.api.support import assert_error
from tests.harness import Running

DOC = """
apiVersion: kairos/v1
kind: KairosConfig
groups:
  - name: Web
  - name: Databases
resources:
  - name: shop
    type: TCP
    target: 127.0.0.1:9
    active: false
    groups: [Web]
    tags:
      - {key: env, value: prod, colour: "#112233"}
      - {key: team, value: payments}
statusPages:
  - slug: public
    title: Public status
    description: "**All** our services"
    domain: status.example.com
    groups: [Databases, Web]
"""


async def _import(kairos: Running, text: str, **params: str) -> dict[str, Any]:
    r = await kairos.client.post("/api/config/import", content=text.encode(), params={"dryRun": "false", **params})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_status_pages_and_tags_are_imported_and_exported(kairos: Running) -> None:
    plan = await _import(kairos, DOC)
    changes = {(c["section"], c["name"], c["action"]) for c in plan["changes"]}
    assert ("statusPages", "public", "create") in changes
    pages = (await kairos.client.get("/api/status-pages")).json()
    assert [(p["slug"], p["domain"], p["descriptionHtml"]) for p in pages] == [
        ("public", "status.example.com", "<p><strong>All</strong> our services</p>\n")
    ]
    shop = (await kairos.client.get("/api/resources", params={"tag": "team:payments"})).json()
    assert [t["key"] for t in shop[0]["tags"]] == ["env", "team"] and shop[0]["tags"][0]["colour"] == "#112233"

    again = await _import(kairos, DOC)  # the same document changes nothing
    assert again["counts"] == {"create": 0, "update": 0, "delete": 0}

    exported = yaml.safe_load((await kairos.client.get("/api/config/export")).text)
    assert exported["statusPages"] == [
        {"slug": "public", "title": "Public status", "description": "**All** our services",
         "domain": "status.example.com", "groups": ["Databases", "Web"]}
    ]  # fmt: skip
    res = next(r for r in exported["resources"] if r["name"] == "shop")
    assert res["tags"][0] == {"key": "env", "value": "prod", "colour": "#112233"}

    changed = DOC.replace("groups: [Databases, Web]", "groups: [Web]").replace("{key: team, value: payments}", "")
    changed = changed.replace("      - \n", "")
    plan = await _import(kairos, changed)
    updates = {(c["section"], c["name"]): c["fields"] for c in plan["changes"] if c["action"] == "update"}
    assert updates[("statusPages", "public")] == ["groups"] and updates[("resources", "shop")] == ["tags"]


async def test_a_status_page_naming_an_unknown_group_is_refused_with_its_path(kairos: Running) -> None:
    doc = DOC.replace("groups: [Databases, Web]", "groups: [Nope]")
    r = await kairos.client.post("/api/config/import", content=doc.encode())
    error = assert_error(r, 422, r.json()["error"]["code"])
    assert "Nope" in error["message"] and "statusPages" in str(error["field"])
