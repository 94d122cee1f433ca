"""``/api/maintenance-windows``: create, read, replace, end, delete; precise errors; who sees which window."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.loopback import Target
from tests.harness import Running
from tests.maintenance.conftest import made, one_off, resource

WEEKLY = {"title": "patch", "schedule": "weekly", "startsAt": "2026-01-01T00:00:00Z", "weekdays": ["sun", "SAT"],
          "startTime": "02:30", "durationMinutes": 90, "timezone": "Europe/Berlin"}  # fmt: skip


async def test_a_window_is_created_read_replaced_and_deleted(kairos: Running) -> None:
    c = kairos.client
    w = await made(c, WEEKLY)
    assert w["schedule"] == "WEEKLY" and w["weekdays"] == ["SAT", "SUN"] and w["scope"] == "all"
    assert w["current"] is not None and w["createdBy"] is not None
    assert (await c.get(f"/api/maintenance-windows/{w['id']}")).json()["title"] == "patch"
    cron = WEEKLY | {"schedule": "CRON", "cron": "0 3 * * *", "weekdays": [], "startTime": None}
    r = await c.put(f"/api/maintenance-windows/{w['id']}", json=cron)
    assert r.status_code == 200, r.text
    assert r.json()["cron"] == "0 3 * * *" and r.json()["weekdays"] == [] and r.json()["startTime"] is None
    listed = (await c.get("/api/maintenance-windows")).json()
    assert [x["id"] for x in listed] == [w["id"]]
    assert (await c.delete(f"/api/maintenance-windows/{w['id']}")).status_code == 204
    assert (await c.get(f"/api/maintenance-windows/{w['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"title": "x", "startsAt": "2026-01-01T00:00:00Z"}, "endsAt", "needs endsAt"),
        (one_off(start_min=10, end_min=5), "endsAt", "after startsAt"),
        (one_off(startsAt="2026-01-01T00:00:00"), "startsAt", "timezone"),
        (one_off(title="  "), "title", "blank"),
        (one_off(scope="resources"), "scopeIds", "needs scopeIds"),
        (one_off(scope="resources", scopeIds=[999_999]), "scopeIds", "no resource with id 999999"),
        (one_off(scope="all", scopeIds=[1]), "scopeIds", "takes no scopeIds"),
        (one_off(weekdays=["MON"]), "weekdays", "recurring"),
        (WEEKLY | {"weekdays": []}, "weekdays", "at least one"),
        (WEEKLY | {"weekdays": ["FUNDAY"]}, "weekdays[0]", ""),
        (WEEKLY | {"startTime": "25:00"}, "startTime", "HH:MM"),
        (WEEKLY | {"durationMinutes": None}, "durationMinutes", "needs durationMinutes"),
        (WEEKLY | {"durationMinutes": 0}, "durationMinutes", ""),
        (WEEKLY | {"timezone": "europe/berlin"}, "timezone", "did you mean Europe/Berlin"),
        (WEEKLY | {"schedule": "CRON", "weekdays": [], "startTime": None, "cron": "61 * * * *"}, "cron", "five-field"),
        (WEEKLY | {"schedule": "CRON", "weekdays": [], "startTime": None, "cron": "* * * * * *"}, "cron", "five-field"),
        (WEEKLY | {"schedule": "CRON", "weekdays": [], "startTime": None, "cron": "0 0 31 2 *"}, "cron", "no date"),
        (WEEKLY | {"schedule": "HOURLY"}, "schedule", ""),
        (WEEKLY | {"surprise": 1}, "surprise", "unknown field"),
    ],
)
async def test_bad_input_gets_a_precise_error(kairos: Running, body: dict[str, Any], field: str, words: str) -> None:
    r = await kairos.client.post("/api/maintenance-windows", json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == field and words in error["message"]


async def test_readers_see_only_windows_for_what_they_may_see(kairos: Running, target: Target) -> None:
    c = kairos.client
    hidden = (await c.post("/api/groups", json={"name": "internal", "visibility": "HIDDEN"})).json()
    secret = await resource(c, target, "secret", active=False, groupIds=[hidden["id"]])
    public = await resource(c, target, "public", active=False)
    everyone = await made(c, one_off("everyone"))
    private = await made(c, one_off("private", scope="groups", scopeIds=[hidden["id"]]))
    mixed = await made(c, one_off("mixed", scope="resources", scopeIds=[secret, public]))
    seen = {w["title"]: w for w in (await kairos.anon.get("/api/maintenance-windows")).json()}
    assert set(seen) == {"everyone", "mixed"}
    assert seen["mixed"]["scopeIds"] == [public] and seen["mixed"]["createdBy"] is None
    assert (await kairos.anon.get(f"/api/maintenance-windows/{private['id']}")).status_code == 404
    assert (await kairos.anon.get(f"/api/maintenance-windows/{everyone['id']}")).status_code == 200
    assert len((await c.get("/api/maintenance-windows")).json()) == 3
    assert mixed["scopeIds"] == sorted([secret, public])


async def test_upcoming_lists_windows_on_now_first_then_within_seven_days(kairos: Running) -> None:
    c = kairos.client
    await made(c, one_off("later", start_min=60 * 24 * 8, end_min=60 * 24 * 8 + 30))
    soon = await made(c, one_off("soon", start_min=60, end_min=120))
    now = await made(c, one_off("now"))
    listed = (await c.get("/api/maintenance-windows", params={"upcoming": "true"})).json()
    assert [(w["id"], w["active"]) for w in listed] == [(now["id"], True), (soon["id"], False)]


async def test_only_resource_managers_write_and_a_window_not_on_cannot_be_ended(kairos: Running) -> None:
    w = await made(kairos.client, one_off(start_min=60, end_min=120))
    assert (await kairos.anon.post("/api/maintenance-windows", json=one_off())).status_code == 401
    r = await kairos.client.post(f"/api/maintenance-windows/{w['id']}/end")
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_active"
    assert (await kairos.client.post("/api/maintenance-windows/99999/end")).status_code == 404
