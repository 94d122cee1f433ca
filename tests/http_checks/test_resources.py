"""Per-resource thresholds, upside-down mode and HTTP options through the public surface of a running Kairos
(the REST API, the console's form, config as code), on SQLite or PostgreSQL, against a loopback target."""

from __future__ import annotations

import re
import socket
from typing import Any

import yaml

from kairos.probes.base import ProbeResult, Status
from kairos.scheduler.state import upside_down
from tests.api.support import assert_error, create_resource, wait_for_status
from tests.harness import Running
from tests.http_checks.target import Target
from tests.web.pages import admin_browser, post_form


async def _check(kairos: Running, rid: int) -> dict[str, Any]:
    response = await kairos.client.post(f"/api/resources/{rid}/check")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _detail(kairos: Running, rid: int) -> dict[str, Any]:
    await kairos.runtime.scheduler.flush_results()
    return dict((await kairos.client.get(f"/api/resources/{rid}")).json())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: connections are refused


async def test_a_resource_outage_threshold_overrides_its_kind(kairos: Running, target: Target) -> None:
    own = await create_resource(kairos, target.url + "/status/503", name="own", intervalSeconds=3600, outageThreshold=1)
    kinds = await create_resource(kairos, target.url + "/status/503", name="kinds", intervalSeconds=3600)
    assert (own["outageThreshold"], own["recoveryThreshold"], kinds["outageThreshold"]) == (1, None, None)
    for rid in (own["id"], kinds["id"]):
        await wait_for_status(kairos, rid, "not-available")  # the check at creation: one failure each
    assert (await _detail(kairos, own["id"]))["activeOutageSince"] is not None
    assert (await _detail(kairos, kinds["id"]))["activeOutageSince"] is None  # the kind's 3 not reached

    await _check(kairos, kinds["id"])
    assert (await _detail(kairos, kinds["id"]))["activeOutageSince"] is None
    await _check(kairos, kinds["id"])
    assert (await _detail(kairos, kinds["id"]))["activeOutageSince"] is not None


async def test_a_resource_recovery_threshold_closes_its_outage_sooner(kairos: Running, target: Target) -> None:
    rid = (
        await create_resource(
            kairos, target.url + "/status/503", intervalSeconds=3600, outageThreshold=1, recoveryThreshold=3
        )
    )["id"]
    await wait_for_status(kairos, rid, "not-available")
    r = await kairos.client.put(f"/api/resources/{rid}", json={"target": target.url + "/json"})
    assert r.status_code == 200 and r.json()["recoveryThreshold"] == 3
    await wait_for_status(kairos, rid, "available")
    await _check(kairos, rid)
    assert (await _detail(kairos, rid))["activeOutageSince"] is not None  # two of three successes
    await _check(kairos, rid)
    assert (await _detail(kairos, rid))["activeOutageSince"] is None
    r = await kairos.client.put(f"/api/resources/{rid}", json={"recoveryThreshold": None, "outageThreshold": None})
    assert (r.json()["outageThreshold"], r.json()["recoveryThreshold"]) == (None, None)


async def test_upside_down_is_available_when_the_target_is_down(kairos: Running, target: Target) -> None:
    port = _closed_port()
    down = await create_resource(
        kairos, f"http://127.0.0.1:{port}/", name="down", intervalSeconds=3600, upsideDown=True
    )
    up = await create_resource(kairos, target.url + "/json", name="up", intervalSeconds=3600, upsideDown=True)
    assert (down["upsideDown"], up["upsideDown"]) == (True, True)
    seen = await wait_for_status(kairos, down["id"], "available")
    assert seen["latestErrorCode"] is None and seen["latestMessage"].startswith("down, as expected (upside-down): ")
    seen = await wait_for_status(kairos, up["id"], "not-available")
    assert seen["latestErrorCode"] == "upside_down"
    assert seen["latestMessage"].startswith("up, but expected down (upside-down): HTTP 200 OK")
    r = await kairos.client.put(f"/api/resources/{up['id']}", json={"upsideDown": False})
    assert r.json()["upsideDown"] is False
    assert (await wait_for_status(kairos, up["id"], "available"))["latestErrorCode"] is None


def test_upside_down_never_turns_unknown_into_a_verdict() -> None:
    unknown = ProbeResult(Status.UNKNOWN, "proxy down", "proxy_unreachable")
    assert upside_down(unknown) is unknown


async def test_assertion_failures_show_in_the_check_now_answer(kairos: Running, target: Target) -> None:
    options = {
        "method": "POST",
        "bodyJson": {"probe": True},
        "assertions": [
            {"type": "json", "path": "$.status", "value": "ok"},
            {"type": "json", "path": "$.count", "op": ">", "value": 5},
        ],
    }
    rid = (await create_resource(kairos, target.url + "/json", intervalSeconds=3600, options=options))["id"]
    result = await _check(kairos, rid)
    assert (result["status"], result["errorCode"]) == ("NOT_AVAILABLE", "assert_json")
    assert "assertion 2 ($.count > 5) failed: '3'" in result["message"]
    assert result["details"]["assertions"][0]["index"] == 2
    assert target.last().method == "POST" and target.last().body == b'{"probe":true}'
    stored = (await kairos.client.get(f"/api/resources/{rid}")).json()["options"]
    assert stored["assertions"][1] == {"type": "json", "path": "$.count", "op": ">", "value": 5}


async def test_bad_thresholds_and_options_are_422_on_their_field(kairos: Running, target: Target) -> None:
    body = {"name": "x", "resourceType": "HTTP", "target": target.url}
    r = await kairos.client.post("/api/resources", json={**body, "outageThreshold": 0})
    assert_error(r, 422, "validation_error", "outageThreshold")
    r = await kairos.client.post("/api/resources", json={**body, "recoveryThreshold": 101})
    assert_error(r, 422, "validation_error", "recoveryThreshold")
    r = await kairos.client.post("/api/resources", json={**body, "upsideDown": "maybe"})
    assert_error(r, 422, "validation_error", "upsideDown")
    bad_regex = {"assertions": [{"type": "body", "pattern": "(a)\\1"}]}
    r = await kairos.client.post("/api/resources", json={**body, "options": bad_regex})
    error = assert_error(r, 422, "validation_error")
    assert error["field"].startswith("options.assertions") and "RE2" in error["message"]
    r = await kairos.client.post("/api/resources", json={**body, "options": {"body": "x"}})
    assert "a GET request carries no body" in assert_error(r, 422, "validation_error")["message"]


async def test_the_console_form_takes_thresholds_upside_down_a_body_and_assertions(
    kairos: Running, target: Target
) -> None:
    new = "/admin/resources/new?kind=HTTP"
    form = {
        "name": "api",
        "target": target.url + "/json",
        "active": "on",
        "outageThreshold": "2",
        "recoveryThreshold": "4",
        "upsideDown": "on",
        "options.method": "PATCH",
        "options.bodyJson": '{"a": [1, 2]}',
        "options.assertions": '[{"type": "header", "name": "X-Version", "value": "1.2.3"}]',
    }
    async with admin_browser(kairos) as browser:
        page = await browser.get(new)
        assert 'name="outageThreshold"' in page.text and 'name="options.assertions"' in page.text
        bad = await post_form(browser, new, {**form, "options.assertions": "[{"})
        assert bad.status_code == 422 and "not valid JSON" in bad.text
        r = await post_form(browser, new, form)
        assert r.status_code == 303, r.text
        rid = int(re.search(r"created=(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
        body = (await kairos.client.get(f"/api/resources/{rid}")).json()
        assert (body["outageThreshold"], body["recoveryThreshold"], body["upsideDown"]) == (2, 4, True)
        assert body["options"]["bodyJson"] == {"a": [1, 2]} and body["options"]["method"] == "PATCH"
        assert body["options"]["assertions"][0]["name"] == "X-Version"
        edit = await browser.get(f"/admin/resources/{rid}/edit")
        assert 'value="2"' in edit.text and "&#34;X-Version&#34;" in edit.text


async def test_config_as_code_carries_thresholds_upside_down_and_assertions(kairos: Running, target: Target) -> None:
    doc = {
        "apiVersion": "kairos/v1",
        "kind": "KairosConfig",
        "resources": [
            {
                "name": "graphql",
                "type": "HTTP",
                "target": target.url + "/json",
                "outageThreshold": 5,
                "upsideDown": True,
                "options": {
                    "method": "POST",
                    "bodyJson": {"query": "{ health }"},
                    "assertions": [{"type": "latency", "maxMs": 800}],
                },
            }
        ],
    }
    apply = {"dryRun": "false"}
    r = await kairos.client.post("/api/config/import", content=yaml.safe_dump(doc).encode(), params=apply)
    assert r.status_code == 200, r.text
    exported = yaml.safe_load((await kairos.client.get("/api/config/export")).text)
    item = next(i for i in exported["resources"] if i["name"] == "graphql")
    assert (item["outageThreshold"], item["upsideDown"], "recoveryThreshold" in item) == (5, True, False)
    assert item["options"]["assertions"] == [{"type": "latency", "maxMs": 800}]
    again = await kairos.client.post("/api/config/import", content=yaml.safe_dump(exported).encode())
    assert again.status_code == 200 and [c for c in again.json()["changes"] if c["name"] == "graphql"] == []
    doc["resources"][0]["outageThreshold"] = 2  # type: ignore[index]
    changed = await kairos.client.post("/api/config/import", content=yaml.safe_dump(doc).encode())
    assert [c["fields"] for c in changed.json()["changes"] if c["name"] == "graphql"] == [["outageThreshold"]]
