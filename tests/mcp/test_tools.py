"""Every tool through the SDK's client over Streamable HTTP against a running Kairos: the list with its schemas,
each call's answer (the REST API's shapes), and bad arguments answered as tool errors with the API's codes."""

from __future__ import annotations

from typing import Any

from mcp.types import Tool

from tests.api.loopback import Target
from tests.api.support import create_resource, wait_for_history
from tests.harness import Running, wait_for
from tests.mcp.support import ALL_TOOLS, data, error, make_key, mcp_client


async def _admin_key(kairos: Running) -> str:
    return await make_key(kairos, "ADMIN")


async def test_it_lists_the_java_kairos_tools_with_schemas_descriptions_and_scopes(kairos: Running) -> None:
    async with mcp_client(kairos, await _admin_key(kairos)) as client:
        tools: dict[str, Tool] = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == set(ALL_TOOLS)
    for name, tool in tools.items():
        assert tool.description and "\n" not in tool.description, name
        assert tool.input_schema["type"] == "object"
        assert tool.meta == {"kairos/scope": ALL_TOOLS[name]}
        assert tool.annotations is not None
        for prop in tool.input_schema.get("properties", {}).values():
            assert prop.get("description"), (name, prop)
    history = tools["getCheckHistory"].input_schema
    assert history["required"] == ["resourceId"]
    assert set(history["properties"]) == {"resourceId", "status", "page", "pageSize"}
    assert history["properties"]["pageSize"]["maximum"] == 200
    assert tools["createResource"].input_schema["required"] == ["name", "resourceType", "target"]
    assert tools["whatIsDown"].annotations is not None and tools["whatIsDown"].annotations.read_only_hint


async def test_the_reading_tools_answer_as_the_rest_api(kairos: Running, target: Target, closed_port: int) -> None:
    up = await create_resource(kairos, target.url(), name="web")
    down = await create_resource(kairos, f"127.0.0.1:{closed_port}", name="db", resourceType="TCP")
    await wait_for(lambda: kairos.runtime.board.state(up["id"]) and kairos.runtime.board.state(down["id"]))
    async with mcp_client(kairos, await _admin_key(kairos)) as client:
        listed = data(await client.call_tool("listResources"))
        assert listed == (await kairos.client.get("/api/resources")).json()

        detail = data(await client.call_tool("getResource", {"resourceId": up["id"]}))
        assert detail == (await kairos.client.get(f"/api/resources/{up['id']}")).json()

        status = data(await client.call_tool("getResourceStatus", {"resourceId": down["id"]}))
        assert status["currentStatus"] == "not-available"
        assert status["latest"]["errorCode"] == "connect_refused"
        assert set(status["uptime"]) == {"h24", "d7", "d30"}

        uptime = data(await client.call_tool("getUptime", {"resourceId": up["id"]}))
        assert uptime == (await kairos.client.get(f"/api/resources/{up['id']}/uptime")).json()

        latency = data(await client.call_tool("getLatency", {"resourceId": up["id"], "hours": 168}))
        assert latency == (await kairos.client.get(f"/api/resources/{up['id']}/latency-samples?hours=168")).json()

        down_now = data(await client.call_tool("whatIsDown"))
        assert [d["name"] for d in down_now["down"]] == ["db"]
        assert down_now["down"][0]["failingSince"] is not None
        assert (down_now["total"], down_now["available"], down_now["notAvailable"]) == (2, 1, 1)

        groups = data(await client.call_tool("listGroups"))
        assert groups == (await kairos.client.get("/api/groups")).json()


async def test_check_history_pages_and_filters_by_status(kairos: Running, target: Target) -> None:
    resource = await create_resource(kairos, target.url("/fail"), name="flaky")
    async with mcp_client(kairos, await _admin_key(kairos)) as client:
        for _ in range(4):
            data(await client.call_tool("triggerCheck", {"resourceId": resource["id"]}))
        rest = await wait_for_history(kairos, resource["id"], count=5)  # the check at creation and four more

        first = data(await client.call_tool("getCheckHistory", {"resourceId": resource["id"], "pageSize": 2}))
        second = data(
            await client.call_tool("getCheckHistory", {"resourceId": resource["id"], "pageSize": 2, "page": 1})
        )
        assert (first["page"], first["pageSize"], first["hasMore"]) == (0, 2, True)
        assert first["items"] + second["items"] == rest[:4]

        ok = data(await client.call_tool("getCheckHistory", {"resourceId": resource["id"], "status": "AVAILABLE"}))
        assert ok["items"] == [] and ok["hasMore"] is False

        beyond = await client.call_tool("getCheckHistory", {"resourceId": resource["id"], "page": 51, "pageSize": 200})
        error(beyond, "validation_error", "page")


async def test_trigger_check_records_it_and_three_failures_open_an_outage(kairos: Running, target: Target) -> None:
    resource = await create_resource(kairos, target.url("/fail"), name="api")
    async with mcp_client(kairos, await _admin_key(kairos)) as client:
        for _ in range(3):
            verdict = data(await client.call_tool("triggerCheck", {"resourceId": resource["id"]}))
            assert verdict["status"] == "NOT_AVAILABLE" and verdict["httpStatus"] == 500

        async def open_outages() -> list[dict[str, Any]]:
            return list(data(await client.call_tool("listOutages", {"activeOnly": True})))

        outages = await wait_for(open_outages)
        assert [o["resourceId"] for o in outages] == [resource["id"]]
        assert outages == (await kairos.client.get("/api/outages?active=true")).json()
        mine = data(await client.call_tool("listOutages", {"resourceId": resource["id"]}))
        assert mine == outages


async def test_run_instant_check_checks_any_target_and_stores_nothing(kairos: Running, target: Target) -> None:
    async with mcp_client(kairos, await _admin_key(kairos)) as client:
        result = data(await client.call_tool("runInstantCheck", {"resourceType": "http", "target": target.url()}))
        assert result["status"] == "AVAILABLE" and result["httpStatus"] == 200
        assert result["phases"]["connectMs"] is not None
        refused = await client.call_tool(
            "runInstantCheck", {"resourceType": "HTTP", "target": target.url(), "options": {"nope": 1}}
        )
        error(refused, "validation_error", "options.nope")
    assert (await kairos.client.get("/api/resources")).json() == []


async def test_announcements_are_sanitised_as_in_the_console(kairos: Running) -> None:
    markdown = "**Maintenance** tonight <script>alert(1)</script> [docs](javascript:alert(1))"
    async with mcp_client(kairos, await _admin_key(kairos)) as client:
        created = data(await client.call_tool("createAnnouncement", {"content": markdown, "kind": "warning"}))
        listed = data(await client.call_tool("listAnnouncements", {"active": True}))
    preview = (await kairos.client.post("/api/announcements/preview", json={"content": markdown})).json()
    assert created["contentHtml"] == preview["contentHtml"]
    assert "<script" not in created["contentHtml"]
    assert 'href="javascript' not in created["contentHtml"]
    assert created["kind"] == "WARNING"
    assert listed == (await kairos.client.get("/api/announcements?active=true")).json()


async def test_resources_are_created_changed_and_paused(kairos: Running, target: Target) -> None:
    async with mcp_client(kairos, await _admin_key(kairos)) as client:
        created = data(
            await client.call_tool(
                "createResource",
                {"name": "docs", "resourceType": "HTTP", "target": target.url(), "intervalSeconds": 60},
            )
        )
        rid = created["id"]
        assert created["intervalSeconds"] == 60
        changed = data(await client.call_tool("updateResource", {"resourceId": rid, "name": "Docs site"}))
        assert (changed["name"], changed["intervalSeconds"]) == ("Docs site", 60)
        paused = data(await client.call_tool("setResourceEnabled", {"resourceId": rid, "enabled": False}))
        assert paused["active"] is False
    stored = (await kairos.client.get(f"/api/resources/{rid}")).json()
    assert (stored["name"], stored["active"]) == ("Docs site", False)


async def test_bad_arguments_are_tool_errors_with_the_api_codes(kairos: Running, target: Target) -> None:
    async with mcp_client(kairos, await _admin_key(kairos)) as client:
        error(await client.call_tool("getResource", {"resourceId": "seven"}), "validation_error", "resourceId")
        error(await client.call_tool("getResource", {}), "validation_error", "resourceId")
        error(await client.call_tool("getResource", {"resourceId": 0}), "validation_error", "resourceId")
        error(await client.call_tool("getResource", {"resourceId": 4242}), "not_found")
        error(await client.call_tool("triggerCheck", {"resourceId": 4242}), "not_found")
        error(await client.call_tool("getCheckHistory", {"resourceId": 1, "pageSize": 201}), "validation_error")
        error(await client.call_tool("getLatency", {"resourceId": 1, "hours": 25}), "validation_error", "hours")
        error(await client.call_tool("noSuchTool", {}), "not_found")
        bad_target = {"name": "x", "resourceType": "TCP", "target": "no-port-here"}
        error(await client.call_tool("createResource", bad_target), "validation_error", "target")
        bad_kind = {"name": "x", "resourceType": "FTP", "target": target.url()}
        error(await client.call_tool("createResource", bad_kind), "validation_error", "resourceType")
        no_group = {"name": "x", "resourceType": "HTTP", "target": target.url(), "groupIds": [77]}
        error(await client.call_tool("createResource", no_group), "validation_error", "groupIds")
        error(await client.call_tool("createAnnouncement", {"content": "   "}), "validation_error", "content")
