"""Header values of HTTP checks are write-only secrets: every caller, admins included, reads the mask; an
update that sends the mask back keeps the stored value, proven by a real check against a loopback target that
answers 200 only with the right Authorization header."""

from __future__ import annotations

from typing import Any

import httpx

from kairos.secrets_mask import MASK
from tests.api.loopback import GOOD_BASIC, Target
from tests.api.support import assert_error, create_resource
from tests.harness import Running
from tests.web.pages import add_user

PASSWORD = "a-long-user-password"


async def _secret_resource(kairos: Running, target: Target) -> dict[str, Any]:
    return await create_resource(
        kairos, target.url("/auth"), options={"headers": {"Authorization": GOOD_BASIC, "X-Trace": "t-123"}}
    )


async def _check(kairos: Running, resource_id: int) -> str:
    response = await kairos.client.post(f"/api/resources/{resource_id}/check")
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


async def test_no_caller_reads_a_stored_header_value_back(kairos: Running, target: Target) -> None:
    created = await _secret_resource(kairos, target)
    assert created["options"]["headers"] == {"Authorization": MASK, "X-Trace": MASK}
    read_key = (await kairos.client.post("/api/api-keys", json={"name": "r", "role": "READ"})).json()["key"]
    await add_user(kairos, "viewer@example.com", PASSWORD)
    callers: dict[str, dict[str, Any]] = {
        "admin key": {},
        "read key": {"headers": {"X-API-Key": read_key}},
        "user": {"auth": httpx.BasicAuth("viewer@example.com", PASSWORD)},
    }
    for who, how in callers.items():
        one = await kairos.anon.get(f"/api/resources/{created['id']}", **how)
        listed = await kairos.anon.get("/api/resources", **how)
        assert one.status_code == listed.status_code == 200, (who, one.text)
        assert one.json()["options"]["headers"] == {"Authorization": MASK, "X-Trace": MASK}, who
        for text in (one.text, listed.text):
            assert "probe-secret" not in text and GOOD_BASIC not in text and "t-123" not in text, who
    anon = (await kairos.anon.get(f"/api/resources/{created['id']}")).json()
    assert anon["options"]["headers"] == {"Authorization": MASK, "X-Trace": MASK}


async def test_an_update_sending_the_mask_back_keeps_the_stored_value(kairos: Running, target: Target) -> None:
    created = await _secret_resource(kairos, target)
    assert await _check(kairos, created["id"]) == "AVAILABLE"
    # The read-modify-write a client does: GET, change something else, PUT the options back as read.
    read = (await kairos.client.get(f"/api/resources/{created['id']}")).json()
    options = {**read["options"], "headers": {"authorization": MASK, "X-Trace": "t-456"}}  # names are case-blind
    put = await kairos.client.put(f"/api/resources/{created['id']}", json={"name": "renamed", "options": options})
    assert put.status_code == 200, put.text
    assert put.json()["options"]["headers"] == {"authorization": MASK, "X-Trace": MASK}
    assert await _check(kairos, created["id"]) == "AVAILABLE"


async def test_a_new_value_replaces_and_a_header_left_out_is_removed(kairos: Running, target: Target) -> None:
    created = await _secret_resource(kairos, target)
    url = f"/api/resources/{created['id']}"
    put = await kairos.client.put(url, json={"options": {"headers": {"Authorization": "Basic d3Jvbmc6d3Jvbmc="}}})
    assert put.json()["options"]["headers"] == {"Authorization": MASK}
    assert await _check(kairos, created["id"]) == "NOT_AVAILABLE"
    put = await kairos.client.put(url, json={"options": {"headers": {}}})
    assert put.status_code == 200 and put.json()["options"]["headers"] == {}
    # Nothing stored behind the mask any more: it is refused, never sent as a literal value.
    refused = await kairos.client.put(url, json={"options": {"headers": {"Authorization": MASK}}})
    assert_error(refused, 422, "validation_error", "options.headers")


async def test_creating_a_resource_with_the_mask_as_a_value_is_refused(kairos: Running, target: Target) -> None:
    body = {"name": "m", "resourceType": "HTTP", "target": target.url("/"), "options": {"headers": {"X-Key": MASK}}}
    error = assert_error(await kairos.client.post("/api/resources", json=body), 422, "validation_error")
    assert error["field"] == "options.headers" and "X-Key" in error["message"]
    assert (await kairos.client.get("/api/resources")).json() == []
