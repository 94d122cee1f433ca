"""A tag that moves to another digest is noticed: on the result, in history, in the metrics, across restarts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.harness import Running, make_settings, running_kairos
from tests.servers.registry import Registry, push


async def add_image(k: Running, ref: str) -> int:
    created = await k.client.post(
        "/api/resources",
        json={"name": "moving-tag", "resourceType": "DOCKER", "target": ref, "options": {"insecureHttp": True}},
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def check(k: Running, rid: int) -> dict[str, object]:
    answer = await k.client.post(f"/api/resources/{rid}/check")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def digest_changes(k: Running, rid: int) -> list[dict[str, str]]:
    await k.runtime.scheduler.flush_results()
    history = (await k.client.get(f"/api/resources/{rid}/history")).json()
    return [h["details"]["digestChanged"] for h in history if "digestChanged" in (h.get("details") or {})]


async def test_a_re_pushed_tag_is_recorded_and_counted(kairos: Running, registry: Registry, oci_dir: str) -> None:
    ref = f"{registry.host}/moving/app:stable"
    await asyncio.to_thread(push, oci_dir, "v1", ref)
    rid = await add_image(kairos, ref)
    assert "re-pushed" not in str((await check(kairos, rid))["message"])
    await asyncio.to_thread(push, oci_dir, "multi", ref, all_=True)
    second = await check(kairos, rid)
    assert "re-pushed" in str(second["message"])
    changed = await digest_changes(kairos, rid)
    assert len(changed) == 1 and changed[0]["from"] != changed[0]["to"]
    metrics = (await kairos.anon.get("/actuator/prometheus")).text
    assert 'kairos_image_digest_changes_total{resource_name="moving-tag"} 1.0' in metrics


async def test_the_known_digest_survives_a_restart(
    db_url: str, tmp_path: Path, registry: Registry, oci_dir: str
) -> None:
    ref = f"{registry.host}/moving/restart:stable"
    await asyncio.to_thread(push, oci_dir, "v1", ref)
    settings = make_settings(db_url, tmp_path)
    async with running_kairos(settings) as k:
        rid = await add_image(k, ref)
        await check(k, rid)
    await asyncio.to_thread(push, oci_dir, "multi", ref, all_=True)
    async with running_kairos(settings) as k:
        await check(k, rid)  # the start-up pass or this check, whichever comes first, sees the move
        assert len(await digest_changes(k, rid)) == 1
