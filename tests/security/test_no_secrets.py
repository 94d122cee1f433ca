"""No secret reaches a log record or an answer: API keys (only their prefix), passwords, credential and
discovery secrets, session tokens, KAIROS_SECRET_KEY, the OIDC client secret and the database password.

Realistic flows run with distinctive secret strings while the log records of Kairos, uvicorn (the access log
too) and authlib are captured at DEBUG, and every other logger's at INFO; every answer body is recorded. The
one answer allowed to hold a secret is the creation of an API key, which shows the key once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from kairos.auth import sessions
from kairos.cli.main import app as cli
from kairos.db.engine import make_engine
from kairos.settings import Settings
from tests.api.loopback import Target, closed_port, target
from tests.api.support import create_resource, wait_for_status
from tests.dbs import postgres_base
from tests.discovery.conftest import discovery_token_registry
from tests.harness import Running, make_settings, running_kairos, wait_for
from tests.servers.registry import Registry
from tests.web.pages import ADMIN_EMAIL, csrf_of, post_form, sign_in

__all__ = ["closed_port", "discovery_token_registry", "target"]

SECRET_KEY = "SK-zebra-7731-kairos-secret-key"
ADMIN_PASSWORD = "AP-walrus-5519-first-admin"
ADMIN_NEW_PASSWORD = "AN-puffin-8802-admin-again"
USER_PASSWORD = "UP-heron-2208-first-user"
USER_NEW_PASSWORD = "UN-gecko-1174-user-again"
USER_RESET_PASSWORD = "UR-bison-6640-user-reset"
WRONG_PASSWORD = "WP-mole-3391-wrong-guess"
CREDENTIAL_PASSWORD = "probe-secret"  # what the loopback target's /auth accepts
WRONG_CREDENTIAL_PASSWORD = "CW-ibis-4410-wrong-credential"
DISCOVERY_PASSWORD = "DP-okapi-9034-registry"
OIDC_SECRET = "OS-lynx-6627-client-secret"
WRONG_KEY = "kai_WK-tapir-2750-not-a-key"
DB_PASSWORD = "DB-koala-4123-database"
OIDC_CODE = "OC-newt-5081-authorization-code"

LOGGERS = ("kairos", "uvicorn", "uvicorn.error", "uvicorn.access", "authlib")


class Answers:
    """Every answer body a client received, by request."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, str]] = []
        self.allowed: set[int] = set()  # indexes of answers that may hold a secret

    async def record(self, response: httpx.Response) -> None:
        await response.aread()
        self.bodies.append((f"{response.request.method} {response.request.url.path}", response.text))

    def watch(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        client.event_hooks = {"request": [], "response": [self.record]}
        return client

    def allow_last(self) -> None:
        self.allowed.add(len(self.bodies) - 1)

    def holding(self, secret: str) -> list[str]:
        return [what for i, (what, body) in enumerate(self.bodies) if secret in body and i not in self.allowed]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    listen(caplog)
    access = logging.getLogger("uvicorn.access")
    yield caplog
    access.removeHandler(caplog.handler)


def listen(caplog: pytest.LogCaptureFixture) -> None:
    """DEBUG for our loggers; again after a server starts, as uvicorn sets its loggers' levels when it does."""
    caplog.set_level(logging.INFO)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    # uvicorn's access logger does not propagate to the root logger: listen to it directly.
    access = logging.getLogger("uvicorn.access")
    if caplog.handler not in access.handlers:
        access.addHandler(caplog.handler)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as the server would write it (message, arguments and traceback)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    records = caplog.get_records("setup") + caplog.get_records("call")
    # httpx's own "HTTP Request: <url>" lines come from the test's clients as well, which send the secrets.
    return "\n".join(formatter.format(record) for record in records if record.name != "httpx")


@pytest.fixture
async def kairos_with_secrets(
    db_url: str, tmp_path: Path, closed_port: int, logs: pytest.LogCaptureFixture
) -> AsyncIterator[Running]:
    settings = make_settings(
        db_url,
        tmp_path,
        secret_key=SECRET_KEY,
        admin_password=ADMIN_PASSWORD,
        # A provider that is down: the sign-in fails and is logged, with the client secret at hand.
        oidc_enabled=True,
        oidc_issuer_uri=f"http://127.0.0.1:{closed_port}/realms/kairos",
        oidc_client_id="kairos",
        oidc_client_secret=OIDC_SECRET,
    )
    async with running_kairos(settings) as running:
        listen(logs)
        yield running


def assert_nowhere(caplog: pytest.LogCaptureFixture, answers: Answers, secrets: dict[str, str]) -> None:
    records = logged(caplog)
    # Sign-in failures, the access log of every request: the capture works if it holds something.
    assert "uvicorn.access" in records and "kairos" in records, records
    assert len(answers.bodies) > 5, "the answers should have been recorded"
    for name, secret in secrets.items():
        assert secret not in records, f"{name} is in the log"
        assert answers.holding(secret) == [], f"{name} is in these answers"


async def _browser(kairos: Running, answers: Answers) -> httpx.AsyncClient:
    return answers.watch(httpx.AsyncClient(base_url=kairos.url, timeout=30))


async def test_passwords_keys_and_session_tokens_stay_out_of_logs_and_answers(
    kairos_with_secrets: Running, logs: pytest.LogCaptureFixture
) -> None:
    kairos, answers = kairos_with_secrets, Answers()
    answers.watch(kairos.client)
    answers.watch(kairos.anon)
    async with await _browser(kairos, answers) as admin, await _browser(kairos, answers) as user:
        # The first admin signs in with the configured password, changes it; a wrong guess fails.
        assert (await sign_in(admin, ADMIN_EMAIL, WRONG_PASSWORD)).status_code == 401
        assert (await sign_in(admin, ADMIN_EMAIL, ADMIN_PASSWORD)).status_code == 303
        changed = await post_form(
            admin,
            "/account/password",
            {"current": ADMIN_PASSWORD, "new": ADMIN_NEW_PASSWORD, "again": ADMIN_NEW_PASSWORD},
        )
        assert changed.status_code == 303
        admin_session = admin.cookies[sessions.COOKIE]
        await admin.get("/admin")
        await admin.get("/admin/api-keys")
        # HTTP Basic with a wrong and a right password.
        assert (await kairos.anon.get("/api/api-keys", auth=(ADMIN_EMAIL, WRONG_PASSWORD))).status_code == 401
        assert (await kairos.anon.get("/api/api-keys", auth=(ADMIN_EMAIL, ADMIN_NEW_PASSWORD))).status_code == 200

        # A user created through the API signs in, must change the password, is reset by the admin.
        created = await kairos.client.post(
            "/api/users", json={"email": "ops@example.com", "role": "USER", "password": USER_PASSWORD}
        )
        assert created.status_code == 201, created.text
        assert (await sign_in(user, "ops@example.com", USER_PASSWORD)).status_code == 303
        again = {"current": USER_PASSWORD, "new": USER_NEW_PASSWORD, "again": USER_NEW_PASSWORD}
        assert (await post_form(user, "/account/password", again)).status_code == 303
        user_session = user.cookies[sessions.COOKIE]
        await user.get("/")
        # A write through the session needs its CSRF token; the token is no secret, the cookie is.
        page = await user.get("/account/password")
        assert csrf_of(page.text)
        reset = await kairos.client.put(f"/api/users/{created.json()['id']}", json={"password": USER_RESET_PASSWORD})
        assert reset.status_code == 200, reset.text
        await kairos.client.get("/api/users")
        # The ended session now reads as anonymous, and a replayed cookie is no way in either.
        assert (await user.get("/admin")).status_code in (303, 401, 403)

    # API keys: created (the one answer that shows it), listed, used, revoked, and a wrong one refused.
    made = await kairos.client.post("/api/api-keys", json={"name": "ci", "role": "READ"})
    answers.allow_last()
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    assert key in answers.bodies[-1][1]  # the recorder sees what the client sees
    listed = (await kairos.client.get("/api/api-keys")).json()
    assert made.json()["prefix"] in str(listed)
    assert (await kairos.anon.get("/api/resources", headers={"X-API-Key": key})).status_code == 200
    assert (await kairos.client.delete(f"/api/api-keys/{made.json()['id']}")).status_code == 204
    assert (await kairos.anon.get("/api/resources", headers={"Authorization": f"Bearer {key}"})).status_code == 401
    assert (await kairos.anon.get("/api/resources", headers={"X-API-Key": WRONG_KEY})).status_code == 401

    # The OIDC sign-in, with its provider down; a callback's authorization code stays out of the access log.
    failed = await kairos.anon.get("/login/oidc")
    assert failed.status_code >= 400
    await kairos.anon.get("/auth/callback", params={"code": OIDC_CODE, "state": "s"})
    assert "/auth/callback?(hidden)" in logged(logs)

    assert_nowhere(
        logs,
        answers,
        {
            "the secret key": SECRET_KEY,
            "the first admin password": ADMIN_PASSWORD,
            "the admin's new password": ADMIN_NEW_PASSWORD,
            "a user's password": USER_PASSWORD,
            "a user's new password": USER_NEW_PASSWORD,
            "a user's reset password": USER_RESET_PASSWORD,
            "a wrong password": WRONG_PASSWORD,
            "the admin's session token": admin_session,
            "the user's session token": user_session,
            "the new API key": key[len(made.json()["prefix"]) :],
            "the tests' API key": kairos.admin_key[8:],
            "a wrong API key": WRONG_KEY,
            "the OIDC client secret": OIDC_SECRET,
            "an OIDC authorization code": OIDC_CODE,
        },
    )


async def test_credential_and_discovery_secrets_stay_out_of_logs_and_answers(
    kairos_with_secrets: Running,
    logs: pytest.LogCaptureFixture,
    target: Target,
    discovery_token_registry: Registry,
) -> None:
    kairos, answers = kairos_with_secrets, Answers()
    answers.watch(kairos.client)
    answers.watch(kairos.anon)
    good = {"name": "probe", "pattern": target.url("/auth"), "username": "probe", "password": CREDENTIAL_PASSWORD}
    assert (await kairos.client.post("/api/credentials", json=good)).status_code == 201
    bad: dict[str, Any] = {
        "name": "wrong",
        "pattern": target.url("/auth-wrong"),
        "username": "probe",
        "password": WRONG_CREDENTIAL_PASSWORD,
    }
    wrong = await kairos.client.post("/api/credentials", json=bad)
    assert wrong.status_code == 201
    await kairos.client.put(f"/api/credentials/{wrong.json()['id']}", json={"password": WRONG_CREDENTIAL_PASSWORD})
    opened = await create_resource(kairos, target.url("/auth"), name="opens")
    refused = await create_resource(kairos, target.url("/auth-wrong"), name="refused")
    await wait_for_status(kairos, opened["id"], "available")
    await wait_for_status(kairos, refused["id"], "not-available")
    checked = await kairos.client.post(
        "/api/instant-check", json={"resourceType": "HTTP", "target": target.url("/auth-wrong")}
    )
    assert checked.status_code == 200, checked.text
    for path in ("/api/credentials", f"/api/resources/{refused['id']}", f"/api/resources/{refused['id']}/history"):
        assert (await kairos.client.get(path)).status_code == 200
    await kairos.anon.get(f"/resources/{refused['id']}")

    # A discovery source whose registry refuses its password: the failure is logged and shown on the source.
    source = await kairos.client.post(
        "/api/discovery-sources",
        json={
            "name": "private",
            "prefix": f"{discovery_token_registry.host}/private",
            "username": "alice",
            "password": DISCOVERY_PASSWORD,
        },
    )
    assert source.status_code == 201, source.text
    report = (await kairos.client.post(f"/api/discovery-sources/{source.json()['id']}/sync")).json()
    assert report["error"], report
    await kairos.client.get(f"/api/discovery-sources/{source.json()['id']}")
    await kairos.client.get("/api/discovery-sources")

    async def logged_the_failure() -> bool:
        return "private" in logged(logs) or bool(report["error"])

    await wait_for(logged_the_failure)
    assert_nowhere(
        logs,
        answers,
        {
            "a credential's password": CREDENTIAL_PASSWORD,
            "a wrong credential's password": WRONG_CREDENTIAL_PASSWORD,
            "a discovery source's password": DISCOVERY_PASSWORD,
            "the secret key": SECRET_KEY,
        },
    )


# --- the database password -------------------------------------------------------------------------------


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> str:
    result = CliRunner().invoke(cli, args, env={"KAIROS_DATA_DIR": str(tmp_path), **env})
    assert result.exit_code != 0, result.output
    return result.output


@pytest.mark.parametrize("command", [["serve", "--port", "18080"], ["migrate"], ["apikey", "list"]])
def test_an_unreachable_database_is_reported_without_its_password(
    command: list[str], closed_port: int, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    url = f"postgresql://kairos:{DB_PASSWORD}@127.0.0.1:{closed_port}/kairos"
    output = _run(command, {"KAIROS_DATABASE_URL": url}, tmp_path)
    assert "cannot" in output and "Connection refused" in output
    assert DB_PASSWORD not in output
    assert DB_PASSWORD not in logged(logs)


def test_a_malformed_database_url_is_reported_without_its_password(tmp_path: Path) -> None:
    output = _run(["migrate"], {"KAIROS_DATABASE_URL": f"postgresql://kairos:{DB_PASSWORD}@db:port/x"}, tmp_path)
    assert DB_PASSWORD not in output


def test_the_password_from_a_file_is_not_shown_when_the_database_is_down(closed_port: int, tmp_path: Path) -> None:
    secret = tmp_path / "db-password"
    secret.write_text(DB_PASSWORD + "\n")
    env = {
        "KAIROS_DATABASE_URL": f"postgresql://kairos@127.0.0.1:{closed_port}/kairos",
        "KAIROS_DATABASE_PASSWORD_FILE": str(secret),
    }
    output = _run(["migrate"], env, tmp_path)
    assert "Connection refused" in output and DB_PASSWORD not in output


def test_the_password_file_goes_into_the_database_url(tmp_path: Path) -> None:
    secret = tmp_path / "db-password"
    secret.write_text("p@ss:w/rd %41\n")  # characters a URL must escape; the newline is not part of it
    settings = Settings(
        database_url="postgresql://kairos@db.example:5432/kairos", database_password_file=secret, data_dir=tmp_path
    )
    url = make_url(settings.effective_database_url)
    assert url.password == "p@ss:w/rd %41"
    assert (url.host, url.username, url.drivername) == ("db.example", "kairos", "postgresql+psycopg")
    assert "p@ss" not in repr(url)  # SQLAlchemy masks it wherever a URL object is shown


@pytest.mark.skipif(postgres_base() is None, reason="needs KAIROS_TEST_DATABASE_URL (PostgreSQL)")
async def test_kairos_connects_to_postgresql_with_the_password_from_a_file(db_url: str, tmp_path: Path) -> None:
    """A role with a password; the URL names the role only, the password comes from the file."""
    admin = make_engine(db_url)
    role = "kairos_pwfile"
    async with admin.begin() as conn:
        await conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        await conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{DB_PASSWORD}'"))
    try:
        secret = tmp_path / "db-password"
        secret.write_text(DB_PASSWORD)
        without_password = make_url(db_url).set(username=role, password=None).render_as_string(hide_password=False)
        settings = make_settings(without_password, tmp_path, database_password_file=secret)
        assert make_url(settings.effective_database_url).password == DB_PASSWORD
        engine = make_engine(settings.effective_database_url)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT current_user"))).scalar_one() == role
        await engine.dispose()
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        await admin.dispose()
