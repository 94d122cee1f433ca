"""``kairos discovery list|run`` as a real subprocess, and the periodic loop's step function."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from kairos.discovery.loop import DiscoveryLoop
from tests.discovery.test_api import add_source, discovered
from tests.harness import Running
from tests.servers.ports import free_port
from tests.servers.registry import Registry


def cli_env(db_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    return {
        **env,
        "KAIROS_DATABASE_URL": db_url,
        "KAIROS_DATA_DIR": str(data_dir),
        "KAIROS_SECRET_KEY": "test-secret-key",
    }


async def cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kairos.cli.main", "discovery", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


async def test_the_cli_dry_run_prints_the_plan_and_changes_nothing(
    kairos: Running, discovery_registry: Registry, db_url: str, tmp_path: Path
) -> None:
    source = await add_source(kairos, f"{discovery_registry.host}/team", tagFilter="v*")
    env = cli_env(db_url, tmp_path)
    code, out = await cli(env, "run", str(source["id"]), "--dry-run")
    assert code == 0, out
    assert "would be created: 3" in out and f"{discovery_registry.host}/team/app:v2" in out and "dry run" in out
    assert await discovered(kairos, source["id"]) == []
    code, out = await cli(env, "list")
    assert code == 0 and f"{discovery_registry.host}/team" in out and "never" in out
    code, out = await cli(env, "run", "999")
    assert code == 1 and "no discovery source" in out


async def test_the_loop_syncs_due_sources_and_survives_a_registry_error(
    kairos: Running, discovery_registry: Registry
) -> None:
    ok = await add_source(kairos, f"{discovery_registry.host}/other")
    down = await add_source(kairos, f"127.0.0.1:{free_port()}/x")
    loop = DiscoveryLoop(kairos.runtime, kairos.runtime.syncs)  # the serving process's loop, driven step by step
    assert await loop.run_due() == 2
    assert [r["name"] for r in await discovered(kairos, ok["id"])] == ["other/x:v1"]
    shown = (await kairos.client.get(f"/api/discovery-sources/{down['id']}")).json()
    assert shown["lastSyncStatus"] == "error"
    assert await loop.run_due() == 0  # neither is due again before its interval
