"""Target credentials: admin only, matched by pattern, the secret never in any answer."""

from __future__ import annotations

from tests.api.loopback import Target
from tests.api.support import assert_error, create_resource, wait_for_status
from tests.harness import Running

SECRET = "probe-secret"


async def test_a_matching_credential_is_used_by_checks(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url("/auth"))
    await wait_for_status(kairos, created["id"], "not-available")
    response = await kairos.client.post(
        "/api/credentials",
        json={"name": "loopback", "pattern": target.url("/*"), "username": "probe", "password": SECRET},
    )
    assert response.status_code == 201, response.text
    result = (await kairos.client.post(f"/api/resources/{created['id']}/check")).json()
    assert result["status"] == "AVAILABLE", result


async def test_the_secret_never_appears_in_an_answer(kairos: Running) -> None:
    body = {
        "name": "intranet",
        "pattern": "https://intranet.example.com/*",
        "username": "bob",
        "password": SECRET,
        "description": "for the wiki",
    }
    answers = [await kairos.client.post("/api/credentials", json=body)]
    cid = answers[0].json()["id"]
    answers += [
        await kairos.client.get("/api/credentials"),
        await kairos.client.get(f"/api/credentials/{cid}"),
        await kairos.client.put(f"/api/credentials/{cid}", json={"username": "alice"}),
        await kairos.client.post("/api/credentials", json={**body, "extra": 1}),
        await kairos.client.post("/api/credentials", json={**body, "name": ""}),
    ]
    for answer in answers:
        assert SECRET not in answer.text
        assert "password" not in answer.text.replace('"field":"password"', "")
    shown = answers[2].json()
    assert shown == {
        "id": cid,
        "name": "intranet",
        "pattern": "https://intranet.example.com/*",
        "username": "bob",
        "description": "for the wiki",
        "createdAt": shown["createdAt"],
    }
    assert answers[3].json()["username"] == "alice"


async def test_credentials_need_an_admin(kairos: Running) -> None:
    assert_error(await kairos.anon.get("/api/credentials"), 401, "unauthorized")
    read_key = (await kairos.client.post("/api/api-keys", json={"name": "r", "role": "READ"})).json()["key"]
    assert_error(await kairos.anon.get("/api/credentials", headers={"X-API-Key": read_key}), 403, "forbidden")


async def test_a_credential_can_be_deleted(kairos: Running) -> None:
    body = {"name": "x", "pattern": "*.example.com", "username": "u", "password": "p"}
    cid = (await kairos.client.post("/api/credentials", json=body)).json()["id"]
    assert (await kairos.client.delete(f"/api/credentials/{cid}")).status_code == 204
    assert_error(await kairos.client.get(f"/api/credentials/{cid}"), 404, "not_found")
    assert kairos.runtime.credentials.match("https://a.example.com") is None


async def test_bad_credentials_are_refused_naming_the_field(kairos: Running) -> None:
    good = {"name": "x", "pattern": "https://h/*", "username": "u", "password": "p"}
    for change, field in (
        ({"pattern": ""}, "pattern"),
        ({"username": ""}, "username"),
        ({"password": None}, "password"),
        ({"name": "n" * 201}, "name"),
    ):
        response = await kairos.client.post("/api/credentials", json={**good, **change})
        assert_error(response, 422, "validation_error", field)
    missing = {k: v for k, v in good.items() if k != "password"}
    assert_error(await kairos.client.post("/api/credentials", json=missing), 422, "validation_error", "password")
