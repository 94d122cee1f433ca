"""Bad input: always a 4xx in the one error shape, naming the offending field; never a 500."""

from __future__ import annotations

from typing import Any

from tests.api.support import assert_error
from tests.harness import Running

GOOD = {"name": "site", "resourceType": "HTTP", "target": "http://127.0.0.1:9/"}

BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("ftp url", {"target": "ftp://example.com/file"}, "target"),
    ("javascript url", {"target": "javascript:alert(1)"}, "target"),
    ("url without host", {"target": "http:///path"}, "target"),
    ("url without scheme", {"target": "example.com/path"}, "target"),
    ("http port out of range", {"target": "http://127.0.0.1:70000/"}, "target"),
    ("tcp port out of range", {"resourceType": "TCP", "target": "127.0.0.1:65536"}, "target"),
    ("tcp port zero", {"resourceType": "TCP", "target": "127.0.0.1:0"}, "target"),
    ("tcp without port", {"resourceType": "TCP", "target": "127.0.0.1"}, "target"),
    ("empty name", {"name": ""}, "name"),
    ("blank name", {"name": "   "}, "name"),
    ("over-long name", {"name": "x" * 201}, "name"),
    ("name with a NUL", {"name": "a\u0000b"}, "name"),
    ("interval under 5 s", {"intervalSeconds": 4}, "intervalSeconds"),
    ("interval over a day", {"intervalSeconds": 86_401}, "intervalSeconds"),
    ("timeout over 300 s", {"timeoutSeconds": 301}, "timeoutSeconds"),
    ("unknown field", {"color": "red"}, "color"),
    ("unknown option", {"options": {"noSuchOption": 1}}, "options.noSuchOption"),
    ("options not an object", {"options": [1, 2]}, "options"),
    ("unknown kind", {"resourceType": "FTP"}, "resourceType"),
    ("name of the wrong type", {"name": 42}, "name"),
    ("interval of the wrong type", {"intervalSeconds": "soon"}, "intervalSeconds"),
    ("skipTLS of the wrong type", {"skipTLS": "maybe"}, "skipTLS"),
    ("display order out of range", {"displayOrder": 10**12}, "displayOrder"),
    ("huge group id", {"groupId": 10**20}, "groupId"),
]


async def test_a_bad_resource_is_refused_naming_the_field(kairos: Running) -> None:
    # One server for the whole table: a fresh Kairos per case would cost more than the cases themselves.
    for case, change, field in BAD_BODIES:
        response = await kairos.client.post("/api/resources", json={**GOOD, **change})
        assert response.status_code == 422, (case, response.text)
        assert response.json()["error"]["code"] == "validation_error", case
        assert response.json()["error"]["field"] == field, (case, response.text)
    assert (await kairos.client.get("/api/resources")).json() == []


async def test_a_missing_required_field_is_named(kairos: Running) -> None:
    body = {k: v for k, v in GOOD.items() if k != "target"}
    error = assert_error(await kairos.client.post("/api/resources", json=body), 422, "validation_error", "target")
    assert "required" in error["message"]


async def test_a_bad_update_is_refused_naming_the_field(kairos: Running) -> None:
    created = (await kairos.client.post("/api/resources", json=GOOD)).json()
    path = f"/api/resources/{created['id']}"
    assert_error(await kairos.client.put(path, json={"target": "ftp://x"}), 422, "validation_error", "target")
    assert_error(await kairos.client.put(path, json={"name": None}), 422, "validation_error", "name")
    assert_error(await kairos.client.put(path, json={"resourceType": "TCP"}), 422, "validation_error", "target")
    assert (await kairos.client.get(path)).json()["target"] == GOOD["target"]


async def test_malformed_json_is_a_400(kairos: Running) -> None:
    response = await kairos.client.post(
        "/api/resources", content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "invalid_json")


async def test_a_body_that_is_not_an_object_is_refused(kairos: Running) -> None:
    response = await kairos.client.post("/api/resources", json=["not", "an", "object"])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_an_unknown_path_is_a_json_404(kairos: Running) -> None:
    assert_error(await kairos.anon.get("/api/nothing-here"), 404, "not_found")


async def test_a_wrong_method_is_a_json_405(kairos: Running) -> None:
    assert_error(await kairos.client.patch("/api/resources"), 405, "method_not_allowed")


async def test_a_non_numeric_id_names_the_parameter(kairos: Running) -> None:
    assert_error(await kairos.anon.get("/api/resources/abc"), 422, "validation_error", "resourceId")


GARBAGE: list[bytes] = [
    b"null",
    b"[]",
    b'"text"',
    b"{}",
    b"42",
    b'{"name": {"nested": 1}, "target": [], "resourceType": null}',
    b'{"name": "\\u0000", "pattern": "\\u0000", "username": "\\u0000", "password": "\\u0000"}',
    b'{"intervalSeconds": 1e400, "displayOrder": -99999999999999999999999, "groupIds": [1e30]}',
    b'{"resourceType": "TCP", "target": "[::1", "timeoutSeconds": -Infinity}',
    b"[" * 100_000 + b"]" * 100_000,
    b"\xff\xfe not utf-8",
]
WRITES = [
    ("POST", "/api/resources"),
    ("PUT", "/api/resources/{rid}"),
    ("POST", "/api/groups"),
    ("PUT", "/api/resource-types"),
    ("PUT", "/api/resource-types/HTTP"),
    ("POST", "/api/credentials"),
    ("POST", "/api/api-keys"),
]


async def test_garbage_bodies_never_cause_a_500(kairos: Running) -> None:
    rid = (await kairos.client.post("/api/resources", json=GOOD)).json()["id"]
    for method, path in WRITES:
        for body in GARBAGE:
            response = await kairos.client.request(
                method, path.format(rid=rid), content=body, headers={"Content-Type": "application/json"}
            )
            assert response.status_code < 500, (method, path, body[:60], response.text)
            if response.status_code >= 400:  # an empty object is a valid partial update
                assert response.json()["error"]["code"]


async def test_an_unexpected_error_is_a_500_without_a_stack_trace(kairos: Running) -> None:
    async def boom() -> None:
        raise RuntimeError("secret internals")

    kairos.app.add_api_route("/api/test-only-boom", boom)
    response = await kairos.anon.get("/api/test-only-boom")
    assert_error(response, 500, "internal")
    assert "secret internals" not in response.text and "Traceback" not in response.text
