"""Discovery through the REST API against a real registry: sources, syncs, gone images, errors."""

from __future__ import annotations

import asyncio
import urllib.request
from typing import Any

from kairos.registry.client import ACCEPT
from tests.harness import Running, wait_for
from tests.servers.ports import free_port
from tests.servers.registry import Registry, push


async def add_source(k: Running, prefix: str, **extra: Any) -> dict[str, Any]:
    body = {"name": f"src {prefix}", "prefix": prefix, "insecureHttp": True, **extra}
    answer = await k.client.post("/api/discovery-sources", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def sync(k: Running, source_id: int) -> dict[str, Any]:
    answer = await k.client.post(f"/api/discovery-sources/{source_id}/sync")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def discovered(k: Running, source_id: int) -> list[dict[str, Any]]:
    return list((await k.client.get(f"/api/discovery-sources/{source_id}/resources")).json())


def digest_of(registry: Registry, repo: str, tag: str) -> str:
    req = urllib.request.Request(f"{registry.url}/v2/{repo}/manifests/{tag}", method="HEAD", headers={"Accept": ACCEPT})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return str(resp.headers["Docker-Content-Digest"])


async def test_a_source_is_admin_only_and_never_returns_its_password(
    kairos: Running, discovery_registry: Registry
) -> None:
    source = await add_source(kairos, f"{discovery_registry.host}/team", username="u", password="p4ss")
    assert source["hasPassword"] is True and "password" not in source and "p4ss" not in str(source)
    assert source["intervalSeconds"] == 3600 and source["parallelism"] == 1 and source["groupId"]
    assert (await kairos.anon.get("/api/discovery-sources")).status_code == 401
    bad = await kairos.client.post("/api/discovery-sources", json={"name": "x", "prefix": "h:1/Bad"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "prefix"
    regex = await kairos.client.post(
        "/api/discovery-sources", json={"name": "x", "prefix": "h:1/a", "tagFilter": "re:("}
    )
    assert regex.json()["error"]["field"] == "tagFilter"
    edited = await kairos.client.put(
        f"/api/discovery-sources/{source['id']}", json={"password": None, "recursive": True}
    )
    assert edited.json()["hasPassword"] is False and edited.json()["recursive"] is True


async def test_a_sync_creates_checked_resources_and_a_second_one_changes_nothing(
    kairos: Running, discovery_registry: Registry
) -> None:
    source = await add_source(kairos, f"{discovery_registry.host}/team", tagFilter="v*")
    report = await sync(kairos, source["id"])
    assert [t.rsplit("/", 1)[1] for t in report["created"]] == ["app:v1", "app:v2", "tool:v1"]
    resources = await discovered(kairos, source["id"])
    assert {r["name"] for r in resources} == {"team/app:v1", "team/app:v2", "team/tool:v1"}

    async def all_available() -> bool:
        states = [(await kairos.client.get(f"/api/resources/{r['id']}")).json() for r in resources]
        return all(s["currentStatus"] == "available" for s in states)

    await wait_for(all_available)  # checked at once, not after the interval
    groups = {g["id"]: g["name"] for g in (await kairos.client.get("/api/groups")).json()}
    assert groups[source["groupId"]] == source["name"]
    again = await sync(kairos, source["id"])
    assert (again["created"], again["deactivated"], again["unchanged"]) == ([], [], 3)
    shown = (await kairos.client.get(f"/api/discovery-sources/{source['id']}")).json()
    assert shown["lastSyncStatus"] == "ok" and shown["lastSyncAt"]


async def test_recursive_sources_overlap_without_duplicates(kairos: Running, discovery_registry: Registry) -> None:
    flat = await add_source(kairos, f"{discovery_registry.host}/team")
    deep = await add_source(kairos, f"{discovery_registry.host}/team", recursive=True, name="deep")
    assert len((await sync(kairos, flat["id"]))["created"]) == 4
    second = await sync(kairos, deep["id"])
    assert [t.rsplit("/", 1)[1] for t in second["created"]] == ["deep:v1"] and second["unchanged"] == 4
    everything = (await kairos.client.get("/api/resources")).json()
    targets = [r["target"] for r in everything]
    assert len(targets) == len(set(targets)) == 5


async def test_a_deleted_tag_is_deactivated_with_history_kept_and_comes_back(
    kairos: Running, discovery_registry: Registry, oci_dir: str
) -> None:
    source = await add_source(kairos, f"{discovery_registry.host}/gone")
    await sync(kairos, source["id"])
    temp = next(r for r in await discovered(kairos, source["id"]) if r["name"] == "gone/app:temp")
    await kairos.client.post(f"/api/resources/{temp['id']}/check")
    discovery_registry.delete_manifest(
        "gone/app", await asyncio.to_thread(digest_of, discovery_registry, "gone/app", "temp")
    )

    report = await sync(kairos, source["id"])
    assert report["deactivated"] == [f"{discovery_registry.host}/gone/app:temp"] and report["unchanged"] == 1
    now = {r["name"]: r for r in await discovered(kairos, source["id"])}
    assert now["gone/app:temp"]["active"] is False and now["gone/app:temp"]["goneAt"]
    assert now["gone/app:keep"]["active"] is True
    await kairos.runtime.scheduler.flush_results()
    assert (await kairos.client.get(f"/api/resources/{temp['id']}/history")).json()  # kept, not deleted
    assert (await sync(kairos, source["id"]))["deactivated"] == []  # already marked gone

    await asyncio.to_thread(push, oci_dir, "multi", f"{discovery_registry.host}/gone/app:temp", all_=True)
    back = await sync(kairos, source["id"])
    assert back["reactivated"] == [f"{discovery_registry.host}/gone/app:temp"] and back["created"] == []
    restored = {r["name"]: r for r in await discovered(kairos, source["id"])}["gone/app:temp"]
    assert restored["active"] is True and restored["goneAt"] is None


async def test_a_registry_that_is_down_shows_as_an_error_on_the_source(kairos: Running) -> None:
    source = await add_source(kairos, f"127.0.0.1:{free_port()}/team")
    report = await sync(kairos, source["id"])
    assert report["error"] and "catalog" in report["error"] and report["created"] == []
    shown = (await kairos.client.get(f"/api/discovery-sources/{source['id']}")).json()
    assert shown["lastSyncStatus"] == "error" and shown["lastSyncMessage"] == report["error"]


async def test_deleting_a_source_keeps_its_resources(kairos: Running, discovery_registry: Registry) -> None:
    source = await add_source(kairos, f"{discovery_registry.host}/other")
    created = (await sync(kairos, source["id"]))["created"]
    assert (await kairos.client.delete(f"/api/discovery-sources/{source['id']}")).status_code == 204
    assert (await kairos.client.get(f"/api/discovery-sources/{source['id']}")).status_code == 404
    targets = [r["target"] for r in (await kairos.client.get("/api/resources")).json()]
    assert targets == created
    assert (await kairos.client.post(f"/api/discovery-sources/{source['id']}/sync")).status_code == 404


async def test_skip_tls_is_spelled_like_on_resources(kairos: Running) -> None:
    source = await add_source(kairos, "127.0.0.1:5000/team", skipTLS=True)
    assert source["skipTLS"] is True
    edited = await kairos.client.put(f"/api/discovery-sources/{source['id']}", json={"skipTLS": False})
    assert edited.json()["skipTLS"] is False


async def test_private_images_found_by_a_source_are_checked_with_its_credentials(
    kairos: Running, discovery_token_registry: Registry
) -> None:
    source = await add_source(
        kairos, f"{discovery_token_registry.host}/private", recursive=True, username="alice", password="s3cret"
    )
    report = await sync(kairos, source["id"])
    assert len(report["created"]) == 2, report
    resources = await discovered(kairos, source["id"])

    async def all_available() -> bool:
        states = [(await kairos.client.get(f"/api/resources/{r['id']}")).json() for r in resources]
        return all(s["currentStatus"] == "available" for s in states)

    await wait_for(all_available)  # without the source's credentials the token server refuses private/…
    managed = [c for c in (await kairos.client.get("/api/credentials")).json() if c["name"].startswith("discovery")]
    assert len(managed) == 1 and "s3cret" not in str(managed)
