"""KAIROS_FORWARDED_ALLOW_IPS takes CIDRs end to end: ``kairos serve`` hands it to uvicorn's proxy-header
handling, which believes X-Forwarded-* only from a peer inside the listed networks (the Helm chart's
``ingress.trustedProxies`` relies on it). Observed through the sign-in form's cookie's Secure flag, which follows
X-Forwarded-Proto."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.harness import wait_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def _serve(db_url: str, data_dir: Path, trusted: str) -> AsyncIterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    env.update(KAIROS_DATABASE_URL=db_url, KAIROS_DATA_DIR=str(data_dir), KAIROS_FORWARDED_ALLOW_IPS=trusted)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "kairos.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)),
        env=env,
        cwd=data_dir,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=2) as client:

            async def healthy() -> bool:
                try:
                    return (await client.get("/actuator/health")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_for(healthy, timeout=30, interval=0.1)
        yield url
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), timeout=15)


async def _cookie_is_secure(url: str) -> bool:
    async with httpx.AsyncClient(base_url=url, timeout=30, headers={"X-Forwarded-Proto": "https"}) as browser:
        page = await browser.get("/login")
        cookie = next(v for k, v in page.headers.multi_items() if k == "set-cookie" and "kairos_csrf" in v)
        return "Secure" in cookie


@pytest.mark.parametrize(("trusted", "believed"), [("127.0.0.0/8", True), ("10.0.0.0/8,192.168.0.0/16", False)])
async def test_forwarded_headers_are_believed_only_from_the_listed_networks(
    db_url: str, tmp_path: Path, trusted: str, believed: bool
) -> None:
    async with _serve(db_url, tmp_path, trusted) as url:
        assert await _cookie_is_secure(url) is believed
