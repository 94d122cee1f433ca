"""PUSH resources in config as code: the token is a secret that never reaches a file; an imported PUSH resource
has none until one is rotated (``push_no_token``, docs/push.md)."""

from __future__ import annotations

import yaml

from tests.harness import Running, wait_for


async def _latest_code(kairos: Running, rid: int) -> str | None:
    async def coded() -> str | None:
        body = (await kairos.client.get(f"/api/resources/{rid}")).json()
        code = body["latestErrorCode"]
        return str(code) if code else None

    found: str = await wait_for(coded)
    return found


async def test_export_leaks_no_token_and_import_creates_a_push_resource_without_one(kairos: Running) -> None:
    body = {"name": "backup", "resourceType": "PUSH", "target": "cron@db1", "options": {"graceSeconds": 120}}
    created = (await kairos.client.post("/api/resources", json=body)).json()
    token = created["push"]["token"]
    assert (await kairos.anon.post(created["push"]["pushUrl"], content=b"body of the job")).status_code == 200

    exported = (await kairos.client.get("/api/config/export")).text
    assert token not in exported and token[:7] not in exported and "kp_" not in exported
    assert "body of the job" not in exported
    config = yaml.safe_load(exported)
    (entry,) = [r for r in config["resources"] if r["name"] == "backup"]
    assert entry["type"] == "PUSH" and entry["options"]["graceSeconds"] == 120

    entry["name"] = "backup copy"
    config["resources"] = [entry]
    answer = await kairos.client.post(
        "/api/config/import", content=yaml.safe_dump(config).encode(), params={"dryRun": "false"}
    )
    assert answer.status_code == 200, answer.text
    assert "kp_" not in answer.text
    (copy,) = [r for r in (await kairos.client.get("/api/resources")).json() if r["name"] == "backup copy"]
    assert (await kairos.client.get(f"/api/resources/{copy['id']}/push")).status_code == 404  # no token yet
    assert await _latest_code(kairos, copy["id"]) == "push_no_token"

    rotated = (await kairos.client.post(f"/api/resources/{copy['id']}/push-token")).json()
    assert (await kairos.anon.get(rotated["pushUrl"])).status_code == 200
    assert (await kairos.anon.get(created["push"]["pushUrl"])).status_code == 200  # the original is untouched
