"""`kairos serve` runs on uvloop: the client must behave the same there (start_tls, errors, limits)."""

from __future__ import annotations

import pytest

from kairos import net
from tests.servers.http_app import Servers

uvloop = pytest.importorskip("uvloop")


async def _outcomes(servers: Servers) -> list[str]:
    async def code_of(url: str, **options: object) -> str:
        try:
            result = await net.fetch(url, timeout_s=2.0, max_body_bytes=65536, user_agent="t", **options)  # type: ignore[arg-type]
        except net.NetError as exc:
            return exc.code
        return f"{result.status}{' truncated' if result.truncated else ''}"

    return [
        await code_of(servers.https + "/redirect/2", ca_context=servers.ca_context),
        await code_of(servers.https_expired + "/", ca_context=servers.ca_context),
        await code_of(servers.https_self_signed + "/status/200", verify_tls=False),
        await code_of(servers.http + "/huge"),
        await code_of(servers.http + "/garbage"),
        await code_of(f"http://127.0.0.1:{servers.closed_port}/"),
    ]


def test_the_client_works_the_same_on_uvloop(servers: Servers) -> None:
    outcomes = uvloop.run(_outcomes(servers))
    assert outcomes == ["200", "tls_invalid", "200", "200 truncated", "protocol_error", "connect_refused"]
