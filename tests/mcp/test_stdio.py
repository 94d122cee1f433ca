"""``kairos mcp`` as a real subprocess, driven by the SDK's stdio client, bridging to a Kairos listening on a
loopback port: the same tools, scopes and visibility as /mcp, and one line on stderr for a wrong URL or key."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

from tests.api.loopback import Target
from tests.harness import Running
from tests.mcp.support import ALL_TOOLS, data, error, hidden_world, make_key

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "kairos.cli.main", "mcp"]


def _params(url: str, key: str) -> StdioServerParameters:
    # The key travels in the environment, as an assistant's configuration would pass it.
    return StdioServerParameters(
        command=COMMAND[0], args=COMMAND[1:], env={"KAIROS_URL": url, "KAIROS_API_KEY": key}, cwd=ROOT
    )


async def _run_failing(*args: str) -> tuple[int, str]:
    """Run ``kairos mcp`` without a client (the event loop keeps serving Kairos meanwhile)."""
    proc = await asyncio.create_subprocess_exec(
        *COMMAND,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")},
        cwd=ROOT,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert out == b""  # stdout belongs to the MCP protocol: nothing else goes there
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def test_it_bridges_stdio_to_the_server_with_its_tools_scopes_and_visibility(
    kairos: Running, target: Target
) -> None:
    world = await hidden_world(kairos, target.url())
    key = await make_key(kairos, "MCP_ACCESS", "STATUS_READ")
    async with Client(_params(kairos.url, key), mode="legacy", cache=None) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == set(ALL_TOOLS)
        assert tools["getCheckHistory"].input_schema["properties"]["pageSize"]["maximum"] == 200
        assert [r["name"] for r in data(await client.call_tool("listResources"))] == ["shop"]
        error(await client.call_tool("getResource", {"resourceId": world.hidden_id}), "not_found")
        error(await client.call_tool("triggerCheck", {"resourceId": world.public_id}), "forbidden")
        error(await client.call_tool("getResource", {"resourceId": "x"}), "validation_error", "resourceId")
        templates = (await client.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == ["kairos://resources/{resource_id}"]
        summary = await client.read_resource("kairos://status")
        assert '"total":1' in summary.contents[0].text  # type: ignore[union-attr]


async def test_a_wrong_key_is_one_line_and_exit_1(kairos: Running) -> None:
    code, err = await _run_failing("--url", kairos.url, "--api-key", "kai_not-a-key")
    assert code == 1
    assert err.count("\n") == 1 and "invalid or revoked API key" in err and "Traceback" not in err


async def test_a_key_without_mcp_access_is_one_line_and_exit_1(kairos: Running) -> None:
    key = await make_key(kairos, "STATUS_READ")
    code, err = await _run_failing("--url", kairos.url + "/mcp", "--api-key", key)
    assert code == 1
    assert err.count("\n") == 1 and "MCP_ACCESS" in err


async def test_a_url_where_nothing_listens_is_one_line_and_exit_1(closed_port: int) -> None:
    code, err = await _run_failing("--url", f"http://127.0.0.1:{closed_port}", "--api-key", "kai_x")
    assert code == 1
    assert err.count("\n") == 1 and "cannot reach" in err


async def test_a_url_that_is_not_kairos_is_one_line(kairos: Running) -> None:
    code, err = await _run_failing("--url", kairos.url + "/nothing-here", "--api-key", "kai_x")
    assert code == 1
    assert err.count("\n") == 1 and "not a Kairos MCP endpoint" in err


async def test_no_key_or_a_bad_url_is_a_usage_error() -> None:
    code, err = await _run_failing("--url", "http://127.0.0.1:1")
    assert code == 2 and "KAIROS_API_KEY" in err
    code, err = await _run_failing("--url", "ftp://127.0.0.1", "--api-key", "kai_x")
    assert code == 2 and err.count("\n") == 1
