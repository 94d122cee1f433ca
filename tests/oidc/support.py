"""A real OpenID provider (tests/servers/oidc/server.js) and a Kairos on a port chosen before it starts, since the
provider knows exactly one redirect URI. ``authorize`` walks the provider's login and consent forms headlessly."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from kairos.runtime import Runtime
from kairos.settings import Settings
from tests.harness import make_settings, serving
from tests.servers.ports import free_port

SERVER_JS = Path(__file__).resolve().parents[1] / "servers" / "oidc" / "server.js"


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen[str]

    def set_account(self, account_id: str, **claims: Any) -> None:
        """Adds an account to the provider, or replaces its claims (the next sign-in sees them)."""
        r = httpx.put(f"{self.issuer}/_test/accounts/{account_id}", content=json.dumps(claims))
        assert r.status_code == 204


@contextlib.contextmanager
def running_provider(redirect_uri: str, issuer: str | None = None) -> Iterator[Provider]:
    env = {**os.environ, "REDIRECT_URI": redirect_uri, "PORT": "0"}
    if issuer:
        env["ISSUER"] = issuer
    process = subprocess.Popen(
        ["node", str(SERVER_JS)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "listening on 127.0.0.1:<port> issuer=<issuer>"
        assert "listening on" in line, f"the OpenID provider did not start: {line!r}"
        listening = line.split()[2]
        yield Provider(f"http://{listening}", process)
    finally:
        process.terminate()
        process.wait(5)


@dataclass
class OidcKairos:
    url: str
    runtime: Runtime
    provider: Provider


@contextlib.asynccontextmanager
async def kairos_on_port(settings: Settings, port: int) -> AsyncIterator[Runtime]:
    """tests.harness.running_kairos, on a given port (the provider's redirect URI names it)."""
    async with serving(settings, port) as (app, _):
        yield app.state.runtime


def oidc_settings(db_url: str, data_dir: Path, port: int, issuer: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "port": port,
        "oidc_enabled": True,
        "oidc_issuer_uri": issuer,
        "oidc_client_id": "uptime",
        "oidc_client_secret": "uptime-secret",
        "oidc_display_name": "Example ID",
        "oidc_admin_values": "admins",
        **overrides,
    }
    return make_settings(db_url, data_dir, **values)


@pytest.fixture(scope="session")
def kairos_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def provider(kairos_port: int) -> Iterator[Provider]:
    with running_provider(f"http://127.0.0.1:{kairos_port}/auth/callback") as p:
        yield p


@pytest.fixture
def oidc_overrides() -> dict[str, Any]:
    """Settings of the test's Kairos beyond the defaults of ``oidc_settings`` (parametrize it to change them)."""
    return {}


@pytest.fixture
async def oidc_kairos(
    db_url: str, tmp_path: Path, kairos_port: int, provider: Provider, oidc_overrides: dict[str, Any]
) -> AsyncIterator[OidcKairos]:
    """A fresh Kairos (and database) signing in through the session's provider."""
    settings = oidc_settings(db_url, tmp_path, kairos_port, provider.issuer, **oidc_overrides)
    async with kairos_on_port(settings, kairos_port) as runtime:
        yield OidcKairos(f"http://127.0.0.1:{kairos_port}", runtime, provider)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "fields": {}})
        elif tag in ("input", "button") and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


async def authorize(client: httpx.AsyncClient, kairos_url: str, user: str, next_path: str | None = None) -> str:
    """From Kairos' "Sign in with …" through the provider's forms: the callback URL the provider sends back."""
    query = {"next": next_path} if next_path else {}
    r = await client.get(kairos_url + "/login/oidc", params=query)
    callback = kairos_url + "/auth/callback"
    for _ in range(20):
        if r.is_redirect:
            location = urljoin(str(r.url), r.headers["location"])
            if location.startswith(callback):
                return location
            r = await client.get(location)
            continue
        assert r.status_code == 200, f"{r.status_code} at {r.url}: {r.text[:300]}"
        forms = _Forms()
        forms.feed(r.text)
        data = dict(forms.forms[0]["fields"])  # the login form, then the consent form
        if "login" in data:
            data.update(login=user, password="any")
        r = await client.post(urljoin(str(r.url), forms.forms[0]["action"]), data=data)
    raise AssertionError("the provider never sent the browser back")


async def sign_in(
    client: httpx.AsyncClient, kairos_url: str, user: str, next_path: str | None = None
) -> httpx.Response:
    """The whole flow; returns Kairos' answer to the callback (303 to ``next`` when it worked)."""
    return await client.get(await authorize(client, kairos_url, user, next_path))
