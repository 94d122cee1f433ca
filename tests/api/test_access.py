"""Who may do what: public reads, authenticated reads, admin writes; the three key headers and Basic."""

from __future__ import annotations

import base64

from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource
from tests.harness import Running
from tests.web.pages import ADMIN_EMAIL, NEW_PASSWORD, admin_browser

BODY = {"name": "x", "resourceType": "HTTP", "target": "http://127.0.0.1:9/"}


def _basic(email: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


async def _key(kairos: Running, role: str = "ADMIN") -> dict[str, str]:
    response = await kairos.client.post("/api/api-keys", json={"name": f"{role} key", "role": role})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_writes_without_credentials_are_401(kairos: Running) -> None:
    error = assert_error(await kairos.anon.post("/api/resources", json=BODY), 401, "unauthorized")
    assert "authentication" in error["message"]
    assert_error(await kairos.anon.delete("/api/resources/1"), 401, "unauthorized")
    assert_error(await kairos.anon.put("/api/resource-types/HTTP", json={}), 401, "unauthorized")


async def test_a_read_only_key_may_read_history_but_not_write(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"))
    key = (await _key(kairos, "READ"))["key"]
    headers = {"X-API-Key": key}
    assert (await kairos.anon.get(f"/api/resources/{created['id']}/history", headers=headers)).status_code == 200
    assert_error(await kairos.anon.post("/api/resources", json=BODY, headers=headers), 403, "forbidden")
    assert_error(await kairos.anon.get("/api/api-keys", headers=headers), 403, "forbidden")


async def test_every_key_header_form_is_accepted(kairos: Running) -> None:
    key = kairos.admin_key
    for headers in (
        {"Authorization": f"Bearer {key}"},
        {"Authorization": f"ApiKey {key}"},
        {"X-API-Key": key},
    ):
        response = await kairos.anon.get("/api/api-keys", headers=headers)
        assert response.status_code == 200, (headers, response.text)


async def test_a_revoked_key_stops_working_on_the_next_request(kairos: Running) -> None:
    created = await _key(kairos)
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert (await kairos.anon.get("/api/api-keys", headers=headers)).status_code == 200
    assert (await kairos.client.delete(f"/api/api-keys/{created['id']}")).status_code == 204
    assert_error(await kairos.anon.get("/api/api-keys", headers=headers), 401, "unauthorized")
    assert_error(await kairos.anon.get("/api/resources", headers=headers), 401, "unauthorized")


async def test_an_unknown_key_is_401_even_on_public_reads(kairos: Running) -> None:
    response = await kairos.anon.get("/api/resources", headers={"X-API-Key": "kai_not-a-real-key"})
    assert_error(response, 401, "unauthorized")


async def test_the_admin_may_use_basic_credentials_once_the_default_password_is_changed(kairos: Running) -> None:
    # Was: admin/admin over Basic created resources (and permanent ADMIN keys) before any password change.
    async with admin_browser(kairos):
        pass
    response = await kairos.anon.post("/api/resources", json=BODY, headers=_basic(ADMIN_EMAIL, NEW_PASSWORD))
    assert response.status_code == 201, response.text


async def test_the_default_password_opens_nothing_over_basic(kairos: Running) -> None:
    admin = _basic(ADMIN_EMAIL, "admin")
    for method, path in (
        ("POST", "/api/api-keys"),
        ("GET", "/api/credentials"),
        ("GET", "/api/api-keys"),
        ("GET", "/api/config/export"),
        ("GET", "/api/users"),
        ("GET", "/api/users/me"),
        ("GET", "/api/resources"),
    ):
        body = {"name": "backdoor"} if method == "POST" else None
        r = await kairos.anon.request(method, path, json=body, headers=admin)
        error = assert_error(r, 403, "password_change_required")
        assert "sign in to the console" in error["message"], path
    keys = (await kairos.client.get("/api/api-keys")).json()
    assert [k["name"] for k in keys] == ["tests"]
    # A wrong password still reads as wrong: the 403 tells nothing to someone without the password.
    assert_error(await kairos.anon.get("/api/users", headers=_basic(ADMIN_EMAIL, "nope")), 401, "unauthorized")


async def test_wrong_basic_credentials_are_401(kairos: Running) -> None:
    for headers in (
        _basic("admin@kairos.local", "wrong"),
        _basic("nobody@kairos.local", "admin"),
        {"Authorization": "Basic !!!not-base64"},
    ):
        assert_error(await kairos.anon.get("/api/outages", headers=headers), 401, "unauthorized")


async def test_outages_need_a_caller(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"))
    rid = created["id"]
    for path in (f"/api/resources/{rid}/outages", "/api/outages"):
        assert_error(await kairos.anon.get(path), 401, "unauthorized")
        assert (await kairos.client.get(path)).status_code == 200, path


async def test_history_and_latency_are_public_for_resources_anonymous_callers_may_see(
    kairos: Running, target: Target
) -> None:
    rid = (await create_resource(kairos, target.url("/")))["id"]
    for path in (f"/api/resources/{rid}/history", f"/api/resources/{rid}/latency-samples"):
        assert (await kairos.anon.get(path)).status_code == 200, path
        assert (await kairos.client.get(path)).status_code == 200, path


async def test_history_and_latency_of_a_hidden_resource_are_404_for_anonymous_callers(
    kairos: Running, target: Target
) -> None:
    for visibility in ("HIDDEN", "AUTHENTICATED"):
        group = await kairos.client.post("/api/groups", json={"name": visibility, "visibility": visibility})
        rid = (await create_resource(kairos, target.url("/"), groupIds=[group.json()["id"]]))["id"]
        for path in (f"/api/resources/{rid}/history", f"/api/resources/{rid}/latency-samples"):
            assert_error(await kairos.anon.get(path), 404, "not_found")
            assert (await kairos.client.get(path)).status_code == 200, path


async def test_resources_status_and_uptime_are_public(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/"))
    rid = created["id"]
    for path in (
        "/api/resources",
        f"/api/resources/{rid}",
        f"/api/resources/{rid}/status-update",
        "/api/resources/status-updates",
        f"/api/resources/{rid}/uptime",
        "/api/resource-types",
        "/actuator/health",
        "/actuator/info",
        "/actuator/prometheus",
    ):
        response = await kairos.anon.get(path)
        assert response.status_code == 200, (path, response.text)


async def test_api_keys_are_listed_without_the_key(kairos: Running) -> None:
    created = await _key(kairos, "READ")
    assert created["key"].startswith(created["prefix"])
    response = await kairos.client.get("/api/api-keys")
    assert created["key"] not in response.text
    listed = {k["id"]: k for k in response.json()}
    entry = listed[created["id"]]
    assert (entry["name"], entry["role"], entry["revoked"]) == ("READ key", "READ", False)
    assert set(entry) >= {"prefix", "createdBy", "createdAt", "lastUsedAt"}


async def test_revoking_an_unknown_key_is_404(kairos: Running) -> None:
    assert_error(await kairos.client.delete("/api/api-keys/4242"), 404, "not_found")


async def test_a_key_with_an_unknown_role_is_refused(kairos: Running) -> None:
    response = await kairos.client.post("/api/api-keys", json={"name": "k", "role": "ROOT"})
    assert_error(response, 422, "validation_error", "role")


async def test_unauthorized_answers_say_how_to_authenticate(kairos: Running) -> None:
    response = await kairos.anon.post("/api/resources", json=BODY)
    assert "Bearer" in response.headers["www-authenticate"]
