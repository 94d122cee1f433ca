"""The ``maintenance`` section of config as code: import (names resolved, checked like the API, errors at their
line), reaching the engine at once, export, and re-importing the export changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.api.loopback import Target
from tests.harness import Running, local_scheduler
from tests.maintenance.conftest import iso, resource

DOC = """apiVersion: kairos/v1
kind: KairosConfig
groups:
  - name: databases
maintenance:
  - title: Nightly backup
    schedule: CRON
    cron: "30 1 * * *"
    durationMinutes: 20
    startsAt: 2026-01-01T00:00:00Z
    timezone: Europe/Paris
    scope:
      groups: [databases]
  - title: Migration
    startsAt: START
    endsAt: END
    scope:
      resources: [edge]
"""


async def _import(kairos: Running, text: str, **params: str) -> Any:
    now = datetime.now(UTC)
    text = text.replace("START", iso(now - timedelta(days=1))).replace("END", iso(now + timedelta(days=30)))
    return await kairos.client.post("/api/config/import", content=text.encode(), params=params)


async def test_windows_are_imported_by_name_reach_the_engine_and_round_trip(kairos: Running, target: Target) -> None:
    rid = await resource(kairos.client, target, "edge", active=False)
    r = await _import(kairos, DOC, dryRun="false")
    assert r.status_code == 200, r.text
    created = {(c["section"], c["name"]) for c in r.json()["changes"] if c["action"] == "create"}
    assert {("maintenance", "Nightly backup"), ("maintenance", "Migration")} <= created
    windows = {w["title"]: w for w in (await kairos.client.get("/api/maintenance-windows")).json()}
    assert windows["Nightly backup"]["cron"] == "30 1 * * *" and windows["Nightly backup"]["scope"] == "groups"
    assert windows["Migration"]["scopeIds"] == [rid] and windows["Migration"]["active"] is True
    assert local_scheduler(kairos.runtime).maintenance.window_at(rid, datetime.now(UTC)) is not None  # at once
    exported = (await kairos.client.get("/api/config/export")).text
    assert "maintenance:" in exported and "  scope:\n    resources:\n    - edge" in exported
    again = await _import(kairos, exported, dryRun="false")
    assert [c for c in again.json()["changes"] if c["section"] == "maintenance"] == []


async def test_a_bad_window_is_refused_at_its_line_and_nothing_is_stored(kairos: Running) -> None:
    bad = DOC.replace('"30 1 * * *"', '"99 1 * * *"')
    r = await _import(kairos, bad, dryRun="false")
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["message"].startswith("body:8: maintenance[0].cron: cron must be a five-field cron expression")
    missing = DOC.replace("groups: [databases]", "groups: [nope]")
    r = await _import(kairos, missing, dryRun="false")
    assert r.status_code == 422 and "group 'nope' does not exist" in r.json()["error"]["message"]
    assert (await kairos.client.get("/api/maintenance-windows")).json() == []
