"""Issue 11 §3: the instant check and a scheduled resource check against loopback, a private address and a
redirect into them, under the default policy, an opened one and a closed one (``KAIROS_DENIED_NETWORKS``).

Only loopback ever receives packets: a private address is a target only under a policy that denies it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.support import create_resource, wait_for_history
from tests.harness import Running, make_settings, running_kairos, wait_for
from tests.net.listener import listening

URL = "/api/instant-check"
# Loopback 127.0.0.1 closed, 127.0.0.2 still open, so that a redirect from an allowed address into a denied
# one can be tested without leaving the machine.
CLOSED = "127.0.0.1/32, ::1/128, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, fe80::/10"
OPENED = "10.0.0.0/8, 169.254.0.0/16"  # a policy that leaves loopback open


async def both_checks(kairos: Running, kind: str, target: str) -> list[tuple[str, str | None]]:
    """(status, errorCode) of an instant check and of the first scheduled check of a resource."""
    instant = (await kairos.client.post(URL, json={"resourceType": kind, "target": target})).json()
    resource = await create_resource(kairos, target, resourceType=kind, name=f"{kind} {target}"[:100])
    state = kairos.runtime.board.states
    await wait_for(lambda: state[resource["id"]].last_checked_at)  # the check made at creation is over
    await kairos.runtime.scheduler.flush_results()
    scheduled: dict[str, Any] = (await wait_for_history(kairos, resource["id"]))[0]
    return [(instant["status"], instant["errorCode"]), (scheduled["status"], scheduled["errorCode"])]


def denied() -> list[tuple[str, str | None]]:
    return [("UNKNOWN", "target_denied")] * 2


async def test_the_default_policy_allows_loopback(db_url: str, tmp_path: Path) -> None:
    async with running_kairos(make_settings(db_url, tmp_path)) as kairos, listening() as target:
        assert await both_checks(kairos, "HTTP", target.url) == [("AVAILABLE", None)] * 2
        async with listening("127.0.0.2", location=target.url) as redirect:
            assert await both_checks(kairos, "HTTP", redirect.url) == [("AVAILABLE", None)] * 2
        assert await both_checks(kairos, "TCP", f"127.0.0.1:{target.port}") == [("AVAILABLE", None)] * 2


async def test_an_opened_policy_still_allows_loopback(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path, denied_networks=OPENED)
    async with running_kairos(settings) as kairos, listening() as target:
        assert await both_checks(kairos, "HTTP", f"http://localhost:{target.port}/") == [("AVAILABLE", None)] * 2
        # the private and link-local ranges it names are refused before any packet is sent
        assert await both_checks(kairos, "HTTP", "http://10.1.2.3/") == denied()
        assert await both_checks(kairos, "TCP", "169.254.169.254:80") == denied()


async def test_a_closed_policy_denies_loopback_private_and_redirects_into_them(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path, denied_networks=CLOSED)
    async with running_kairos(settings) as kairos, listening() as target:
        assert await both_checks(kairos, "HTTP", target.url) == denied()
        assert await both_checks(kairos, "TCP", f"127.0.0.1:{target.port}") == denied()
        assert await both_checks(kairos, "HTTP", "http://192.168.1.1/") == denied()
        assert await both_checks(kairos, "DOCKER", f"127.0.0.1:{target.port}/team/app:1.0") == denied()
        async with listening("127.0.0.2", location=target.url) as redirect:
            assert await both_checks(kairos, "HTTP", redirect.url) == denied()
            assert redirect.connections == 2  # the allowed first hop was asked, the denied second never
        async with listening("127.0.0.2", location="http://10.0.0.1/latest/meta-data") as redirect:
            assert await both_checks(kairos, "HTTP", redirect.url) == denied()
        assert target.connections == 0


async def test_a_name_resolving_to_a_denied_address_is_denied(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path, denied_networks="127.0.0.0/8, ::1/128")
    async with running_kairos(settings) as kairos, listening() as target:
        body = {"resourceType": "HTTP", "target": f"http://localhost:{target.port}/"}
        result = (await kairos.client.post(URL, json=body)).json()
        assert (result["status"], result["errorCode"]) == ("UNKNOWN", "target_denied")
        assert result["message"] == "localhost resolves to a loopback address, which the target policy does not allow"
        assert target.connections == 0
