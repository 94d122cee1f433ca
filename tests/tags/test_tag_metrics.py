"""``KAIROS_METRICS_TAG_LABELS``: the chosen tag keys become labels of the per-resource series; off by default."""

from __future__ import annotations

from pathlib import Path

from tests.harness import make_settings, running_kairos

BASE = {"resourceType": "TCP", "target": "127.0.0.1:9", "active": False}


async def test_chosen_tag_keys_become_labels_and_others_do_not(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path, metrics_tag_labels="team, env-name, location, Bad Key")
    async with running_kairos(settings) as kairos:
        tags = [{"key": "team", "value": "payments"}, {"key": "env-name", "value": "prod"}, {"key": "x", "value": "y"}]
        r = await kairos.client.post("/api/resources", json={"name": "shop", **BASE, "tags": tags})
        rid = r.json()["id"]
        await kairos.client.post("/api/resources", json={"name": "bare", **BASE})
        text = (await kairos.anon.get("/metrics")).text
    line = next(x for x in text.splitlines() if x.startswith("kairos_resource_status{") and f'"{rid}"' in x)
    assert 'team="payments"' in line and 'env_name="prod"' in line
    assert "x=" not in line and 'location=""' not in line  # an unchosen key; a clashing key is left out
    bare = next(x for x in text.splitlines() if x.startswith("kairos_resource_status{") and "bare" in x)
    assert 'team=""' in bare


async def test_without_the_setting_series_have_only_the_resource_labels(db_url: str, tmp_path: Path) -> None:
    async with running_kairos(make_settings(db_url, tmp_path)) as kairos:
        tags = [{"key": "team", "value": "payments"}]
        await kairos.client.post("/api/resources", json={"name": "shop", **BASE, "tags": tags})
        text = (await kairos.anon.get("/metrics")).text
    line = next(x for x in text.splitlines() if x.startswith("kairos_resource_status{"))
    assert "team" not in line
