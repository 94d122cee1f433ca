"""PUSH (heartbeat) resources through the HTTP API of a real Kairos on loopback: tokens, pings and verdicts."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.support import assert_error, wait_for_status
from tests.harness import Running, wait_for


async def _push(kairos: Running, **fields: Any) -> dict[str, Any]:
    body = {"name": fields.pop("name", "nightly backup"), "resourceType": "PUSH", "target": "cron@db1", **fields}
    response = await kairos.client.post("/api/resources", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _latest(kairos: Running, rid: int, message_part: str) -> dict[str, Any]:
    async def seen() -> dict[str, Any] | None:
        body = (await kairos.client.get(f"/api/resources/{rid}")).json()
        return body if message_part in (body["latestMessage"] or "") else None

    return dict(await wait_for(seen))


async def test_creating_a_push_resource_shows_its_ping_url_once(kairos: Running) -> None:
    created = await _push(kairos)
    push = created["push"]
    assert push["token"].startswith("kp_") and len(push["token"]) > 30
    assert push["pushUrl"] == f"{kairos.url}/api/push/{push['token']}"
    again = (await kairos.client.get(f"/api/resources/{created['id']}")).json()
    assert again.get("push") is None
    assert push["token"] not in str(again)
    status = (await kairos.client.get(f"/api/resources/{created['id']}/push")).json()
    assert status["tokenHint"] == push["token"][:7]
    assert status["lastPingAt"] is None and status["pings"] == 0


async def test_a_resource_never_pinged_waits_for_its_first_ping(kairos: Running) -> None:
    created = await _push(kairos)
    body = await _latest(kairos, created["id"], "waiting for the first ping")
    assert body["latestCheckStatus"] == "UNKNOWN"


async def test_an_up_ping_makes_it_available_with_its_message_and_latency(kairos: Running) -> None:
    created = await _push(kairos)
    answer = await kairos.anon.get(created["push"]["pushUrl"], params={"msg": "12 files", "latencyMs": "1500"})
    assert answer.status_code == 200 and answer.text == "OK"
    body = await _latest(kairos, created["id"], "12 files")
    assert body["currentStatus"] == "available"
    assert body["latestLatencyMs"] == 1500


async def test_a_down_ping_is_not_available_with_its_message(kairos: Running) -> None:
    created = await _push(kairos)
    await kairos.anon.get(created["push"]["pushUrl"], params={"status": "down", "msg": "disk full"})
    body = await _latest(kairos, created["id"], "disk full")
    assert body["currentStatus"] == "not-available"
    assert body["latestErrorCode"] == "push_down"


async def test_fail_and_start_signals_follow_the_healthchecks_model(kairos: Running) -> None:
    created = await _push(kairos)
    url = created["push"]["pushUrl"]
    assert (await kairos.anon.post(f"{url}/fail", content=b"exit 3: tar failed")).status_code == 200
    body = await _latest(kairos, created["id"], "reported a failure")
    assert body["latestErrorCode"] == "push_down"
    assert (await kairos.anon.get(f"{url}/start")).status_code == 200
    status = (await kairos.client.get(f"/api/resources/{created['id']}/push")).json()
    assert status["startedAt"] is not None
    assert (await kairos.anon.post(url, content=b"done")).status_code == 200
    body = await wait_for_status(kairos, created["id"], "available")
    assert body["latestLatencyMs"] is not None  # the run time from /start to the success ping
    status = (await kairos.client.get(f"/api/resources/{created['id']}/push")).json()
    assert status["lastBody"] == "done" and status["lastSource"] == "127.0.0.1" and status["pings"] == 3


async def test_a_missed_heartbeat_is_not_available_after_the_period_and_grace(kairos: Running) -> None:
    created = await _push(kairos, intervalSeconds=5, options={"graceSeconds": 0, "periodSeconds": 5})
    await kairos.anon.get(created["push"]["pushUrl"])
    await wait_for_status(kairos, created["id"], "available")
    body = await wait_for(lambda: _missed(kairos, created["id"]), timeout=30)
    assert "last ping" in body["latestMessage"]


async def _missed(kairos: Running, rid: int) -> dict[str, Any] | None:
    body = (await kairos.client.get(f"/api/resources/{rid}")).json()
    return body if body["latestErrorCode"] == "heartbeat_missed" else None


async def test_unknown_tokens_answer_a_plain_404(kairos: Running) -> None:
    await _push(kairos)
    for path in ("/api/push/kp_not-a-token", "/api/push/kp_not-a-token/start", "/api/push/" + "x" * 101):
        assert_error(await kairos.anon.get(path), 404, "not_found")


async def test_a_token_of_a_resource_changed_to_another_kind_stops_working(kairos: Running) -> None:
    created = await _push(kairos)
    url = created["push"]["pushUrl"]
    edit = await kairos.client.put(
        f"/api/resources/{created['id']}", json={"resourceType": "TCP", "target": "127.0.0.1:9"}
    )
    assert edit.status_code == 200, edit.text
    assert_error(await kairos.anon.get(url), 404, "not_found")


async def test_rotating_the_token_invalidates_the_old_one(kairos: Running) -> None:
    created = await _push(kairos)
    old = created["push"]["pushUrl"]
    rotated = await kairos.client.post(f"/api/resources/{created['id']}/push-token")
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["pushUrl"]
    assert new != old
    assert_error(await kairos.anon.get(old), 404, "not_found")
    assert (await kairos.anon.get(new)).status_code == 200


async def test_only_push_resources_have_a_token(kairos: Running) -> None:
    other = await kairos.client.post(
        "/api/resources", json={"name": "tcp", "resourceType": "TCP", "target": "127.0.0.1:9", "active": False}
    )
    assert other.json().get("push") is None
    rid = other.json()["id"]
    assert_error(await kairos.client.post(f"/api/resources/{rid}/push-token"), 409, "not_push")
    assert_error(await kairos.client.get(f"/api/resources/{rid}/push"), 404, "not_found")


async def test_anonymous_callers_see_the_last_ping_but_not_its_source_or_body(kairos: Running) -> None:
    created = await _push(kairos)
    await kairos.anon.post(created["push"]["pushUrl"], content=b"secret-ish output")
    status = (await kairos.anon.get(f"/api/resources/{created['id']}/push")).json()
    assert status["lastPingAt"] is not None
    assert status["lastSource"] is None and status["lastBody"] is None
    assert_error(await kairos.anon.post(f"/api/resources/{created['id']}/push-token"), 401, "unauthorized")


async def test_pings_are_rate_limited_per_token(kairos: Running) -> None:
    first = (await _push(kairos, name="a"))["push"]["pushUrl"]
    second = (await _push(kairos, name="b"))["push"]["pushUrl"]
    answers = [(await kairos.anon.get(first)).status_code for _ in range(11)]
    assert answers[:10] == [200] * 10
    limited = await kairos.anon.get(first)
    assert_error(limited, 429, "ping_rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    assert (await kairos.anon.get(second)).status_code == 200  # another token is not affected


async def test_bad_ping_parameters_and_oversized_bodies_are_refused(kairos: Running) -> None:
    url = (await _push(kairos))["push"]["pushUrl"]
    assert_error(await kairos.anon.get(url, params={"status": "sideways"}), 422, "validation_error", "status")
    assert_error(await kairos.anon.get(url, params={"latencyMs": "-1"}), 422, "validation_error")
    assert_error(await kairos.anon.get(url, params={"msg": "m" * 501}), 422, "validation_error")
    assert_error(await kairos.anon.post(url, content=b"x" * 10_001), 413, "payload_too_large")

    async def chunks() -> Any:
        for _ in range(11):
            yield b"y" * 1000

    assert_error(await kairos.anon.post(url, content=chunks()), 413, "payload_too_large")


async def test_a_long_body_is_kept_as_a_bounded_excerpt(kairos: Running) -> None:
    created = await _push(kairos)
    await kairos.anon.post(created["push"]["pushUrl"], content=("é" * 3000).encode())
    status = (await kairos.client.get(f"/api/resources/{created['id']}/push")).json()
    assert status["lastBody"] == "é" * 1000


async def test_options_are_validated_by_the_kind(kairos: Running) -> None:
    bad = await kairos.client.post(
        "/api/resources",
        json={"name": "x", "resourceType": "PUSH", "target": "n", "options": {"graceSeconds": -1}},
    )
    assert_error(bad, 422, "validation_error", "options.graceSeconds")


async def test_the_ping_routes_need_no_credentials_and_ignore_wrong_ones(kairos: Running) -> None:
    url = (await _push(kairos))["push"]["pushUrl"]
    async with httpx.AsyncClient(headers={"Authorization": "Bearer wrong"}) as stranger:
        assert (await stranger.get(url)).status_code == 200


async def test_pings_work_in_private_access_mode(db_url: str, tmp_path: Any) -> None:
    from tests.harness import make_settings, running_kairos

    async with running_kairos(make_settings(db_url, tmp_path, access_mode="private")) as private:
        url = (await _push(private))["push"]["pushUrl"]
        assert (await private.anon.get(url)).status_code == 200
        assert_error(await private.anon.get("/api/resources"), 401, "unauthorized")
