"""``POST /api/instant-check`` against real loopback targets: a verdict with its phases, nothing stored."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from kairos.api.routes.instant_check import running_checks
from kairos.auth.apikeys import create_key
from kairos.auth.scopes import PRESETS
from kairos.history.reader import everything
from tests.api.loopback import Target
from tests.api.support import assert_error
from tests.harness import Running, wait_for
from tests.web.pages import add_user

URL = "/api/instant-check"


async def test_an_http_target_that_answers_is_available_with_its_phases(kairos: Running, target: Target) -> None:
    r = await kairos.client.post(URL, json={"resourceType": "http", "target": target.url("/health")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "AVAILABLE" and body["httpStatus"] == 200 and body["errorCode"] is None
    phases = body["phases"]
    assert phases["connectMs"] is not None and phases["firstByteMs"] is not None and phases["tlsMs"] is None
    assert body["latencyMs"] == phases["totalMs"] > 0
    assert body["timeoutSeconds"] == 10.0  # the HTTP kind's timeout
    assert body["details"]["final_url"] == target.url("/health")


async def test_options_are_applied_like_a_resources(kairos: Running, target: Target) -> None:
    body = {"resourceType": "HTTP", "target": target.url("/fail"), "options": {"acceptedStatusCodes": ["500"]}}
    assert (await kairos.client.post(URL, json=body)).json()["status"] == "AVAILABLE"
    body["options"] = {}
    failed = (await kairos.client.post(URL, json=body)).json()
    assert failed["status"] == "NOT_AVAILABLE" and failed["httpStatus"] == 500 and failed["errorCode"]


async def test_a_refused_tcp_port_is_not_available_with_its_code(kairos: Running, closed_port: int) -> None:
    r = await kairos.client.post(URL, json={"resourceType": "TCP", "target": f"127.0.0.1:{closed_port}"})
    body = r.json()
    assert r.status_code == 200 and body["status"] == "NOT_AVAILABLE"
    assert body["errorCode"] == "connect_refused" and body["message"]


async def test_an_open_tcp_port_is_available(kairos: Running, target: Target) -> None:
    port = target.base.rsplit(":", 1)[1]
    body = (await kairos.client.post(URL, json={"resourceType": "TCP", "target": f"127.0.0.1:{port}"})).json()
    assert body["status"] == "AVAILABLE" and body["phases"]["connectMs"] is not None


async def test_anonymous_callers_are_refused(kairos: Running, target: Target) -> None:
    r = await kairos.anon.post(URL, json={"resourceType": "HTTP", "target": target.url()})
    assert_error(r, 401, "unauthorized")


async def test_read_keys_and_users_are_refused(kairos: Running, target: Target) -> None:
    # Issue 11: a check of any target with any headers and bodyContains reads services only Kairos can reach
    # (a loopback secret was read out with bodyContains in 70 requests): admins only.
    await add_user(kairos, "reader@example.com", "reader-password-1")
    body = {"resourceType": "HTTP", "target": target.url(), "options": {"bodyContains": "o"}}
    r = await kairos.anon.post(URL, json=body, auth=("reader@example.com", "reader-password-1"))
    assert_error(r, 403, "forbidden")
    async with kairos.runtime.sessionmaker() as session:
        read = await create_key(session, "reader", scopes=PRESETS["READ"])
        await session.commit()
    r = await kairos.anon.post(URL, json=body, headers={"X-API-Key": read.plaintext})
    assert_error(r, 403, "forbidden")
    assert running_checks(kairos.app).running == 0


async def test_an_admin_check_uses_the_named_credential(kairos: Running, target: Target) -> None:
    cred = {"name": "probe", "pattern": "nowhere.example/*", "username": "probe", "password": "probe-secret"}
    cid = (await kairos.client.post("/api/credentials", json=cred)).json()["id"]
    body = {"resourceType": "HTTP", "target": target.url("/auth")}
    assert (await kairos.client.post(URL, json=body)).json()["httpStatus"] == 401
    assert (await kairos.client.post(URL, json={**body, "credentialId": cid})).json()["status"] == "AVAILABLE"
    assert_error(
        await kairos.client.post(URL, json={**body, "credentialId": 999}), 422, "validation_error", "credentialId"
    )


async def test_an_invalid_body_is_refused_with_the_field(kairos: Running) -> None:
    cases = [
        ({"resourceType": "HTTP", "target": "ftp://example.com/"}, "target"),
        ({"resourceType": "TCP", "target": "example.com"}, "target"),
        ({"resourceType": "HTTP", "target": "http://example.com/", "options": {"nope": 1}}, "options.nope"),
        ({"resourceType": "HTTP", "target": "http://example.com/", "timeoutSeconds": 61}, "timeoutSeconds"),
        ({"resourceType": "FTP", "target": "x"}, "resourceType"),
        ({"resourceType": "HTTP"}, "target"),
    ]
    for body, field in cases:
        assert_error(await kairos.client.post(URL, json=body), 422, "validation_error", field)


async def test_nothing_is_stored(kairos: Running, target: Target, closed_port: int) -> None:
    await kairos.client.post(URL, json={"resourceType": "HTTP", "target": target.url()})
    await kairos.client.post(URL, json={"resourceType": "TCP", "target": f"127.0.0.1:{closed_port}"})
    await kairos.runtime.scheduler.flush_results()
    assert kairos.runtime.scheduler.recorder.pending == 0
    async with kairos.runtime.sessionmaker() as session:
        assert await everything(session) == []
    assert (await kairos.client.get("/api/resources")).json() == []
    assert kairos.runtime.scheduler.resources == {} and kairos.runtime.board.states == {}


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never answers: every HTTP check against it runs into its timeout."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]
        for writer in held:
            writer.close()


async def admin_key(kairos: Running, name: str) -> dict[str, str]:
    async with kairos.runtime.sessionmaker() as session:
        key = await create_key(session, name)
        await session.commit()
    return {"X-API-Key": key.plaintext}


async def test_two_checks_per_caller_and_four_in_all_run_at_once(kairos: Running) -> None:
    limit = running_checks(kairos.app)
    other, third = await admin_key(kairos, "other"), await admin_key(kairos, "third")
    async with silent_server() as port:
        body = {"resourceType": "HTTP", "target": f"http://127.0.0.1:{port}/", "timeoutSeconds": 1.5}
        mine = [asyncio.create_task(kairos.client.post(URL, json=body)) for _ in range(2)]
        await wait_for(lambda: limit.running == 2)
        refused = await kairos.client.post(URL, json=body)  # one caller may not hold every slot
        assert "you already run 2 instant checks" in assert_error(refused, 429, "too_many_requests")["message"]
        theirs = [asyncio.create_task(kairos.anon.post(URL, json=body, headers=other)) for _ in range(2)]
        await wait_for(lambda: limit.running == limit.size)
        refused = await kairos.anon.post(URL, json=body, headers=third)
        assert "4 instant checks are already running" in assert_error(refused, 429, "too_many_requests")["message"]
        assert refused.headers["retry-after"] == "5"
        results = [r.json() for r in await asyncio.gather(*mine, *theirs)]
    assert {(b["status"], b["errorCode"]) for b in results} == {("NOT_AVAILABLE", "timeout")}
    assert limit.running == 0
