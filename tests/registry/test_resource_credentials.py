"""Credentials per resource, or matched by registry/repository pattern, against a real htpasswd registry."""

from __future__ import annotations

from tests.harness import Running
from tests.servers.registry import Registry


async def make_credential(k: Running, pattern: str, password: str = "s3cret") -> int:
    answer = await k.client.post(
        "/api/credentials",
        json={"name": f"for {pattern}", "pattern": pattern, "username": "alice", "password": password},
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


async def image(k: Running, registry: Registry, **extra: object) -> int:
    answer = await k.client.post(
        "/api/resources",
        json={
            "name": "private",
            "resourceType": "DOCKER",
            "target": f"{registry.host}/private/app:v1",
            "options": {"insecureHttp": True},
            **extra,
        },
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


async def verdict(k: Running, rid: int) -> tuple[str, str | None]:
    body = (await k.client.post(f"/api/resources/{rid}/check")).json()
    return body["status"], body["errorCode"]


async def test_a_resource_uses_its_own_credentials(kairos: Running, basic_registry: Registry) -> None:
    own = await make_credential(kairos, "elsewhere.example/*")
    rid = await image(kairos, basic_registry, credentialId=own)
    assert await verdict(kairos, rid) == ("AVAILABLE", None)
    detail = (await kairos.client.get(f"/api/resources/{rid}")).json()
    assert detail["credentialId"] == own and "s3cret" not in str(detail)
    await kairos.client.put(f"/api/resources/{rid}", json={"credentialId": None})
    assert await verdict(kairos, rid) == ("NOT_AVAILABLE", "registry_unauthorized")


async def test_credentials_matched_by_repository_pattern(kairos: Running, basic_registry: Registry) -> None:
    await make_credential(kairos, f"{basic_registry.host}/private/*")
    rid = await image(kairos, basic_registry)
    assert await verdict(kairos, rid) == ("AVAILABLE", None)


async def test_the_resource_s_own_credentials_win_over_a_pattern(kairos: Running, basic_registry: Registry) -> None:
    await make_credential(kairos, f"{basic_registry.host}/*")
    wrong = await make_credential(kairos, "nowhere/*", password="wrong")
    rid = await image(kairos, basic_registry, credentialId=wrong)
    assert await verdict(kairos, rid) == ("NOT_AVAILABLE", "registry_unauthorized")


async def test_an_unknown_credential_is_refused_with_the_field_named(kairos: Running, basic_registry: Registry) -> None:
    answer = await kairos.client.post(
        "/api/resources",
        json={
            "name": "x",
            "resourceType": "DOCKER",
            "target": f"{basic_registry.host}/private/app:v1",
            "credentialId": 999,
        },
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "credentialId"
