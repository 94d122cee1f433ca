"""The channel builder (kairos/notify/services.py): every service's URL is accepted by Apprise and reads back
into the same fields; bad fields get precise errors; quoting keeps a password from moving the host; and
built URLs deliver to real loopback receivers (an SMTP server and an HTTP server playing Gotify and ntfy)."""

from __future__ import annotations

from pathlib import Path

import apprise
import pytest

from kairos.notify import channels, services
from kairos.notify.channels import APPRISE, WEBHOOK
from kairos.notify.labels import EVENT_LABELS
from tests.notify.receivers import Hook, Smtp

TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SAMPLES: dict[str, dict[str, str]] = {
    "slack": {"webhook": "https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"},
    "discord": {"webhook": "https://discord.com/api/webhooks/4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js"},
    "teams": {"webhook": "https://prod-00.westus.logic.azure.com:443/workflows/643e69f83c8944438d68119179a10a64/"
              "triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0"
              "&sig=KODuebWbDGYFr0z0eu-6Rj8aUKz7108W3wrNJZxFE5A"},
    "telegram": {"bot_token": TELEGRAM_TOKEN, "chat_id": "-1001234567890"},
    "email": {"host": "smtp.example.com", "port": "2525", "mode": "starttls", "user": "kairos",
              "password": "p@ss/w:rd?#", "sender": "kairos@example.com", "to": "ops@example.com,dev@example.com"},
    "ntfy": {"server": "https://ntfy.example.com:8443", "topic": "kairos-alerts", "token": "tk_abcdef123"},
    "gotify": {"server": "https://gotify.example.com/sub", "token": "AbCdEfGhIjKlMnO", "priority": "high"},
    "pushover": {"user_key": "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", "token": "azGDORePK8gMaC0QOYAMyEEuzJnyUi"},
    "pagerduty": {"integration_key": "R0123456789ABCDEF", "api_key": "uabc123", "region": "eu"},
    "opsgenie": {"api_key": "0a1b2c3d-4e5f", "region": "eu"},
    "matrix": {"server": "https://matrix.example.org", "user": "kairos", "password": "s3cret/@x",
               "room": "#ops:example.org"},
    "webhook": {"url": "https://hooks.example.com/kairos?key=1"},
    "apprise": {"url": "json://127.0.0.1:8080/path"},
}  # fmt: skip


def test_every_service_has_a_sample_and_the_table_is_consistent() -> None:
    assert set(SAMPLES) == set(services.SERVICES)
    for service in services.SERVICES.values():
        names = [f.name for f in service.fields]
        assert len(names) == len(set(names)), service.key
        assert service.kind in (APPRISE, WEBHOOK)


@pytest.mark.parametrize("key", list(SAMPLES))
def test_each_built_url_is_accepted_by_apprise_and_reads_back_into_the_same_fields(key: str) -> None:
    kind, url = services.build(key, SAMPLES[key])
    if kind == APPRISE:
        assert apprise.Apprise().add(url), url
    else:
        assert channels.validate(kind, url) is None
    assert services.recognise(kind, url) == (key, {**SAMPLES[key]})


def test_a_key_apprise_would_misread_is_refused_on_its_field() -> None:
    """Apprise reads PagerDuty's API key from the URL's host: a key with + would not survive, so it is refused."""
    with pytest.raises(services.Problems) as caught:
        services.build("pagerduty", {**SAMPLES["pagerduty"], "api_key": "u+abc123"})
    assert caught.value.errors == {"api_key": "An API key is letters, digits and _ . ~ -."}


def test_a_password_with_url_characters_cannot_move_the_host() -> None:
    for key, host in (("email", "smtp.example.com"), ("matrix", "matrix.example.org")):
        values = {**SAMPLES[key], "password": "x@evil.example:1/#"}
        _, url = services.build(key, values)
        plugin = apprise.Apprise.instantiate(url)
        assert plugin is not None and plugin.host == host and plugin.password == "x@evil.example:1/#"


@pytest.mark.parametrize(
    ("key", "values", "field", "words"),
    [
        ("telegram", {"bot_token": "not-a-token", "chat_id": "1"}, "bot_token", "123456789:AAH"),
        ("telegram", {"bot_token": TELEGRAM_TOKEN, "chat_id": ""}, "chat_id", "Enter the chat id."),
        ("telegram", {"bot_token": TELEGRAM_TOKEN, "chat_id": "12, nope"}, "chat_id", "Entry 2 is not a chat id."),
        ("email", {**SAMPLES["email"], "to": "ops@example.com, nobody"}, "to", "Entry 2 is not an email address."),
        ("email", {**SAMPLES["email"], "sender": "kairos"}, "sender", "Enter an email address"),
        ("email", {**SAMPLES["email"], "port": "70000x"}, "port", "1 to 65535"),
        ("email", {**SAMPLES["email"], "mode": "tls13"}, "mode", "Choose one of: STARTTLS, TLS, None"),
        ("email", {**SAMPLES["email"], "user": ""}, "user", "A password needs a user name."),
        ("email", {**SAMPLES["email"], "host": "smtp://x"}, "host", "Enter a host name"),
        ("ntfy", {"server": "ftp://ntfy.example.com", "topic": "a"}, "server", "Enter the server's address"),
        ("ntfy", {"server": "https://ntfy.sh/sub", "topic": "a"}, "server", "without a path"),
        ("ntfy", {"topic": "a b"}, "topic", "letters, digits"),
        ("gotify", {"server": "https://user:pw@gotify.example.com", "token": "x"}, "server", "server's address"),
        ("gotify", {"server": "https://gotify.example.com:99999", "token": "x"}, "server", "1 to 65535"),
        ("pushover", {"user_key": "short", "token": "azGDORePK8gMaC0QOYAMyEEuzJnyUi"}, "user_key", "30 letters"),
        ("matrix", {**SAMPLES["matrix"], "room": "ops"}, "room", "#alerts:example.org"),
        ("slack", {"webhook": "https://discord.com/api/webhooks/4174216298/JHMHI8qBe7bk2Z"}, "webhook", "Slack"),
        ("webhook", {"url": "ftp://example.com/x"}, "url", "not a valid http(s) URL"),
        ("apprise", {"url": "nosuchscheme://secret-token-here"}, "url", "Apprise does not understand"),
    ],
)
def test_bad_fields_get_a_precise_error_on_their_field_that_never_repeats_a_secret(
    key: str, values: dict[str, str], field: str, words: str
) -> None:
    with pytest.raises(services.Problems) as caught:
        services.build(key, values)
    assert list(caught.value.errors) == [field] and words in caught.value.errors[field]
    assert "secret-token-here" not in str(caught.value.errors)


def test_an_unknown_service_is_refused() -> None:
    with pytest.raises(services.Problems) as caught:
        services.build("carrier-pigeon", {})
    assert caught.value.errors == {"service": "Choose one of the listed services."}


def test_a_blank_secret_keeps_the_stored_value_and_shown_never_contains_secrets() -> None:
    kind, url = services.build("telegram", SAMPLES["telegram"])
    key, stored = services.recognise(kind, url)
    assert services.shown(key, stored) == {"bot_token": "", "chat_id": "-1001234567890"}
    again = services.build("telegram", {"bot_token": "", "chat_id": "42"}, kept=stored)
    assert services.recognise(*again) == ("telegram", {"bot_token": TELEGRAM_TOKEN, "chat_id": "42"})
    with pytest.raises(services.Problems) as caught:
        services.build("telegram", {"bot_token": "", "chat_id": "42"})
    assert caught.value.errors == {"bot_token": "Enter the bot token."}


@pytest.mark.parametrize(
    "url",
    [
        "json://127.0.0.1:8080/path",  # a service the builder does not list
        f"tgram://{TELEGRAM_TOKEN}/-100123/?silent=yes",  # an option the fields cannot show
        "mailto://127.0.0.1:2525?from=k@example.com&to=o@example.com&mode=insecure&cc=x@example.com",
    ],
)
def test_urls_the_fields_cannot_express_open_in_raw_mode(url: str) -> None:
    assert services.recognise(APPRISE, url) == ("apprise", {"url": url})


async def test_a_built_email_channel_delivers_to_a_real_smtp_server(smtp: Smtp) -> None:
    values = {"host": "127.0.0.1", "port": str(smtp.port), "mode": "insecure", "sender": "kairos@example.com",
              "to": "ops@example.com"}  # fmt: skip
    kind, url = services.build("email", values)
    await channels.send(kind, url, channels.test_message(), user_agent="kairos-test")
    (message,) = smtp.inbox.messages
    assert message["To"] == "ops@example.com" and "test" in str(message["Subject"]).lower()


async def test_built_gotify_and_webhook_channels_deliver_to_a_real_http_server(hook: Hook) -> None:
    server = f"http://127.0.0.1:{hook.port}"
    for key, values in (
        ("gotify", {"server": server, "token": "AbCdEfGhIjKlMnO"}),
        ("webhook", {"url": hook.url("/kairos-hook")}),
    ):
        kind, url = services.build(key, values)
        await channels.send(kind, url, channels.test_message(), user_agent="kairos-test")
    gotify, webhook = hook.bodies
    assert hook.paths[0].startswith("/message") and "test" in str(gotify.get("title", "")).lower()
    assert hook.paths[1] == "/kairos-hook" and webhook["test"] is True


@pytest.mark.parametrize(
    ("key", "moved", "secret", "words"),
    [
        (
            "gotify",
            {"server": "https://evil.example"},
            "token",
            "Enter the application token again: the server changed.",
        ),
        ("email", {"host": "smtp.evil.example"}, "password", "Enter the password again: the SMTP server changed."),
        ("email", {"mode": "insecure"}, "password", "Enter the password again: the security changed."),
        ("ntfy", {"server": "http://ntfy.evil.example"}, "token", "Enter the access token again: the server changed."),
        ("matrix", {"server": "https://matrix.evil.example"}, "password", "the homeserver changed."),
    ],
)
def test_a_kept_secret_is_never_sent_to_a_new_server_without_typing_it_again(
    key: str, moved: dict[str, str], secret: str, words: str
) -> None:
    """An admin cannot read a stored token, so pointing the channel elsewhere must not carry it there either."""
    _, stored = services.recognise(*services.build(key, SAMPLES[key]))
    blank = {**stored, secret: "", **moved}
    with pytest.raises(services.Problems) as caught:
        services.build(key, blank, kept=stored)
    assert words in caught.value.errors[secret]
    kind, url = services.build(key, {**blank, secret: "typed-again"}, kept=stored)
    assert services.recognise(kind, url)[1][secret] == "typed-again"
    same = services.build(key, {**stored, secret: ""}, kept=stored)  # nothing moved: kept
    assert services.recognise(*same) == (key, stored)


def test_the_docs_list_every_service_and_every_event_label() -> None:
    """docs/notifications.md is written from the same tables the console uses; this keeps them in step."""
    docs = (Path(__file__).parents[2] / "docs" / "notifications.md").read_text()
    for service in services.SERVICES.values():
        assert f"\n| {service.label} |" in docs, service.label
    for kind, label in EVENT_LABELS.items():
        assert f"| `{kind}` | {label.label} | {label.hint} |" in docs, kind
