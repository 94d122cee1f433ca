"""Documents from outside cannot stall or crash the server: aliases, deep nesting, duplicate keys, size."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.harness import Running

HEAD = "apiVersion: kairos/v1\nkind: KairosConfig\n"


def _alias_bomb(levels: int = 9) -> str:
    """~1 KB expanding to 9**levels strings (the "billion laughs")."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return HEAD + "\n".join(lines) + "\n"


async def _import(kairos: Running, text: str) -> tuple[int, dict[str, Any]]:
    response = await kairos.client.post("/api/config/import", content=text.encode())
    return response.status_code, response.json()


async def test_an_alias_bomb_is_refused_and_health_stays_up_meanwhile(kairos: Running) -> None:
    bomb = asyncio.create_task(_import(kairos, _alias_bomb()))
    health = await kairos.anon.get("/actuator/health")
    status, body = await bomb
    assert health.status_code == 200 and health.json()["status"] == "UP"
    assert status == 422 and body["error"]["code"] == "yaml_refused"
    assert body["error"]["message"] == "body:3: anchors and aliases (&name, *name) are not supported"


async def test_deep_nesting_is_a_422_naming_the_limit_not_a_500(kairos: Running) -> None:
    status, body = await _import(kairos, HEAD + "resources: " + "[" * 5000 + "]" * 5000 + "\n")
    assert status == 422 and body["error"]["code"] == "yaml_refused"
    assert body["error"]["message"] == "body:3: nested deeper than 32 levels"
    status, body = await _import(kairos, HEAD + "x:\n" + "".join("  " * n + "  a:\n" for n in range(40)))
    assert status == 422 and "nested deeper than 32 levels" in body["error"]["message"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEAD + "resources: []\ngroups: []\nresources: []\n", "body:5: duplicate key 'resources' (lines 3 and 5)"),
        (
            HEAD + "resources:\n  - name: a\n    type: HTTP\n    name: b\n    target: http://127.0.0.1:9/\n",
            "body:6: duplicate key 'name' (lines 4 and 6)",
        ),
        (
            '{"apiVersion": "kairos/v1", "kind": "KairosConfig",\n "groups": [], "kind": "KairosConfig"}',
            "body:2: duplicate key 'kind' (lines 1 and 2)",
        ),
    ],
)
async def test_duplicate_keys_are_refused_with_both_lines(kairos: Running, text: str, message: str) -> None:
    status, body = await _import(kairos, text)
    assert status == 422 and body["error"]["code"] == "yaml_refused"
    assert body["error"]["message"] == message


async def test_a_document_over_one_mebibyte_is_refused_before_parsing(kairos: Running) -> None:
    text = HEAD + "# " + "x" * (1024 * 1024) + "\n"
    status, body = await _import(kairos, text)
    assert status == 413 and body["error"]["code"] == "validation_error"
