"""``/api/announcements``: CRUD, who may write, validation, sanitised HTML, expiry and the editor's preview."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.support import assert_error
from tests.harness import Running, wait_for
from tests.web.pages import add_user

HOSTILE = [
    "<script>window.pwned=1</script>",
    "<img src=x onerror=alert(1)>",
    '<img src=x onerror="window.pwned=2">',
    "[x](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://example.com/"></iframe>',
    "<style>body { display: none }</style>",
    '<p onclick="alert(1)" style="color: red">x</p>',
]


def _basic(email: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


async def _create(kairos: Running, **fields: Any) -> dict[str, Any]:
    response = await kairos.client.post("/api/announcements", json={"content": "Maintenance tonight", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_an_admin_creates_reads_edits_and_deletes_an_announcement(kairos: Running) -> None:
    until = "2099-05-01T20:00:00+02:00"
    created = await _create(kairos, kind="WARNING", content="**Upgrade** at 18:00", activeUntil=until)
    assert created["kind"] == "WARNING" and created["active"] is True
    assert created["contentHtml"] == "<p><strong>Upgrade</strong> at 18:00</p>\n"
    assert created["activeUntil"] == "2099-05-01T18:00:00Z"
    assert set(created) == {
        "id", "kind", "content", "contentHtml", "active", "activeUntil", "createdBy", "createdAt", "updatedAt"
    }  # fmt: skip
    url = f"/api/announcements/{created['id']}"
    assert (await kairos.client.get(url)).json() == created
    assert (await kairos.anon.get(url)).json() == {**created, "createdBy": None}  # the author is for admins only

    r = await kairos.client.put(url, json={"content": "Done", "active": False})
    assert r.status_code == 200, r.text
    assert r.json()["content"] == "Done" and r.json()["active"] is False
    assert r.json()["kind"] == "WARNING" and r.json()["activeUntil"] == "2099-05-01T18:00:00Z"
    assert r.json()["createdAt"] == created["createdAt"] and r.json()["updatedAt"] >= created["updatedAt"]

    assert (await kairos.client.delete(url)).status_code == 204
    assert_error(await kairos.anon.get(url), 404, "not_found")
    assert_error(await kairos.client.delete(url), 404, "not_found")


async def test_a_client_may_put_back_the_object_it_read_and_null_removes_the_end(kairos: Running) -> None:
    created = await _create(kairos, activeUntil=_at(timedelta(days=1)))
    r = await kairos.client.put(f"/api/announcements/{created['id']}", json={**created, "kind": "problem"})
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "PROBLEM" and r.json()["createdBy"] == created["createdBy"]
    r = await kairos.client.put(f"/api/announcements/{created['id']}", json={"activeUntil": None})
    assert r.json()["activeUntil"] is None and r.json()["kind"] == "PROBLEM"
    assert_error(
        await kairos.client.put(f"/api/announcements/{created['id']}", json={"kind": None}),
        422,
        "validation_error",
        "kind",
    )


async def test_anonymous_callers_read_announcements_but_cannot_write_them(kairos: Running) -> None:
    created = await _create(kairos)
    assert [a["id"] for a in (await kairos.anon.get("/api/announcements")).json()] == [created["id"]]
    url = f"/api/announcements/{created['id']}"
    assert_error(await kairos.anon.post("/api/announcements", json={"content": "x"}), 401, "unauthorized")
    assert_error(await kairos.anon.put(url, json={"content": "x"}), 401, "unauthorized")
    assert_error(await kairos.anon.delete(url), 401, "unauthorized")
    assert_error(await kairos.anon.post("/api/announcements/preview", json={"content": "x"}), 401, "unauthorized")


async def test_a_read_key_may_preview_but_not_write(kairos: Running) -> None:
    created = await _create(kairos)
    key = (await kairos.client.post("/api/api-keys", json={"name": "reader", "role": "READ"})).json()["key"]
    headers = {"X-API-Key": key}
    url = f"/api/announcements/{created['id']}"
    assert_error(await kairos.anon.post("/api/announcements", json={"content": "x"}, headers=headers), 403, "forbidden")
    assert_error(await kairos.anon.put(url, json={"content": "x"}, headers=headers), 403, "forbidden")
    assert_error(await kairos.anon.delete(url, headers=headers), 403, "forbidden")
    r = await kairos.anon.post("/api/announcements/preview", json={"content": "_hi_"}, headers=headers)
    assert r.status_code == 200 and r.json() == {"contentHtml": "<p><em>hi</em></p>\n"}


async def test_created_by_is_the_users_email_or_for_a_key_its_creator_or_its_name(kairos: Running) -> None:
    await add_user(kairos, "ops@example.com", "a-long-password", role="ADMIN")
    basic = _basic("ops@example.com", "a-long-password")
    r = await kairos.anon.post("/api/announcements", json={"content": "by a user"}, headers=basic)
    assert r.status_code == 201 and r.json()["createdBy"] == "ops@example.com"
    key = (await kairos.anon.post("/api/api-keys", json={"name": "ops key"}, headers=basic)).json()["key"]
    r = await kairos.anon.post("/api/announcements", json={"content": "by a key"}, headers={"X-API-Key": key})
    assert r.json()["createdBy"] == "ops@example.com"
    assert (await _create(kairos))["createdBy"] == "api-key:tests"  # the harness's key has no creator


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "x", "kind": "URGENT"}, "kind"),
        ({"content": ""}, "content"),
        ({"content": "  \n "}, "content"),
        ({"content": "x" * 20_001}, "content"),
        ({"content": "nul \x00 byte"}, "content"),
        ({}, "content"),
        ({"content": "x", "activeUntil": "2099-01-01T10:00:00"}, "activeUntil"),
        ({"content": "x", "activeUntil": "tomorrow"}, "activeUntil"),
        ({"content": "x", "active": "maybe"}, "active"),
        ({"content": "x", "colour": "red"}, "colour"),
    ],
)
async def test_invalid_bodies_are_refused_naming_the_field(kairos: Running, body: dict[str, Any], field: str) -> None:
    assert_error(await kairos.client.post("/api/announcements", json=body), 422, "validation_error", field)


async def test_a_naive_active_until_is_refused_with_a_message_about_the_zone(kairos: Running) -> None:
    body = {"content": "x", "activeUntil": "2099-01-01T10:00:00"}
    error = assert_error(await kairos.client.post("/api/announcements", json=body), 422, "validation_error")
    assert "timezone" in error["message"]


async def test_content_of_exactly_20000_characters_and_any_case_of_kind_are_accepted(kairos: Running) -> None:
    created = await _create(kairos, content="x" * 20_000, kind="pRoBlEm")
    assert created["kind"] == "PROBLEM" and len(created["content"]) == 20_000


async def test_unknown_and_impossible_ids_are_404(kairos: Running) -> None:
    assert_error(await kairos.anon.get("/api/announcements/12345"), 404, "not_found")
    assert_error(await kairos.anon.get(f"/api/announcements/{2**40}"), 404, "not_found")
    assert_error(await kairos.client.put("/api/announcements/0", json={"content": "x"}), 404, "not_found")


@pytest.mark.parametrize("content", HOSTILE)
async def test_scripts_and_event_handlers_never_reach_content_html(kairos: Running, content: str) -> None:
    created = await _create(kairos, content=content)
    html = created["contentHtml"].lower()
    for bad in ("<script", "onerror", "onload", "onclick", "javascript:", "data:", "<iframe", "<style", "<svg"):
        assert bad not in html.replace("[x](javascript:alert(1))", ""), (bad, html)
    assert created["content"] == content  # what the author wrote is kept as written
    preview = await kairos.client.post("/api/announcements/preview", json={"content": content})
    assert preview.json()["contentHtml"] == created["contentHtml"]


async def test_a_markdown_javascript_link_stays_visible_text_and_is_no_link(kairos: Running) -> None:
    html = (await _create(kairos, content="[x](javascript:alert(1))"))["contentHtml"]
    assert "<a" not in html and "[x](javascript:alert(1))" in html


async def test_the_list_is_newest_first_and_active_true_keeps_only_those_showing_now(kairos: Running) -> None:
    showing = await _create(kairos, content="showing", activeUntil=_at(timedelta(hours=1)))
    expired = await _create(kairos, content="expired", activeUntil=_at(timedelta(seconds=-1)))
    switched_off = await _create(kairos, content="off", active=False)
    forever = await _create(kairos, content="forever")

    def ids(r: Any) -> list[int]:
        return [a["id"] for a in r.json()]

    everything = await kairos.anon.get("/api/announcements")
    assert ids(everything) == [forever["id"], switched_off["id"], expired["id"], showing["id"]]
    assert ids(await kairos.anon.get("/api/announcements?active=true")) == [forever["id"], showing["id"]]
    assert ids(await kairos.anon.get("/api/announcements?active=false")) == [switched_off["id"], expired["id"]]
    assert_error(await kairos.anon.get("/api/announcements?active=perhaps"), 422, "validation_error", "active")


async def test_an_announcement_stops_showing_when_its_time_passes_without_any_write(kairos: Running) -> None:
    created = await _create(kairos, activeUntil=_at(timedelta(seconds=1)))
    assert [a["id"] for a in (await kairos.anon.get("/api/announcements?active=true")).json()] == [created["id"]]

    async def gone() -> bool:
        return bool((await kairos.anon.get("/api/announcements?active=true")).json() == [])

    await wait_for(gone, timeout=5, interval=0.1)
    after = (await kairos.anon.get(f"/api/announcements/{created['id']}")).json()
    assert after["active"] is True and after["updatedAt"] == created["updatedAt"]  # nothing flipped a flag


@pytest.mark.parametrize("until", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
async def test_an_active_until_outside_the_utc_range_is_a_422_not_a_500(kairos: Running, until: str) -> None:
    assert_error(
        await kairos.client.post("/api/announcements", json={"content": "x", "activeUntil": until}),
        422,
        "validation_error",
        "activeUntil",
    )
    created = await _create(kairos)
    assert_error(
        await kairos.client.put(f"/api/announcements/{created['id']}", json={"activeUntil": until}),
        422,
        "validation_error",
        "activeUntil",
    )


async def test_only_admins_see_who_wrote_an_announcement(kairos: Running) -> None:
    from kairos.auth.apikeys import create_key
    from kairos.auth.scopes import PRESETS

    await add_user(kairos, "ops@example.com", "a-long-password", role="ADMIN")
    await add_user(kairos, "reader@example.com", "a-long-password", role="USER")
    written = await kairos.anon.post(
        "/api/announcements", json={"content": "by ops"}, headers=_basic("ops@example.com", "a-long-password")
    )
    rid = written.json()["id"]
    async with kairos.runtime.sessionmaker() as session:
        read_key = (await create_key(session, "reader", scopes=PRESETS["READ"])).plaintext
        await session.commit()
    for headers in ({}, {"X-API-Key": read_key}, _basic("reader@example.com", "a-long-password")):
        one = await kairos.anon.get(f"/api/announcements/{rid}", headers=headers)
        assert one.status_code == 200 and one.json()["createdBy"] is None, (headers, one.text)
        listed = await kairos.anon.get("/api/announcements", headers=headers)
        assert [a["createdBy"] for a in listed.json()] == [None]
        assert "ops@example.com" not in listed.text
    assert (await kairos.client.get(f"/api/announcements/{rid}")).json()["createdBy"] == "ops@example.com"
    assert (await kairos.client.get("/api/announcements")).json()[0]["createdBy"] == "ops@example.com"
