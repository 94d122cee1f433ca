"""The services of the channel builder (docs/notifications.md lists them with their fields). One block per
service: its fields, how they make an Apprise URL (https webhook URLs are taken as they are: Apprise reads
Slack's, Discord's and Teams' own addresses natively) and how a stored URL's ``parse_url`` result reads back."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from kairos.notify.channels import APPRISE, WEBHOOK
from kairos.notify.service_fields import EMAIL, Field, FieldProblem, Service, q, server, server_text, split_list

_REGIONS = (("us", "US"), ("eu", "EU"))


def _hook_url(name: str, label: str, example: str) -> Field:
    return Field(name, label, hint=f"Like {example}", secret=True, placeholder=example, input="url")


def _plain(parsed: dict[str, Any], key: str) -> str:
    """User and password as the plugin uses them: ``parse_url`` leaves them quoted, the plugin unquotes."""
    return unquote(str(parsed.get(key) or ""))


def _first(parsed: dict[str, Any], key: str) -> str:
    items = parsed.get(key) or []
    return ",".join(str(i) for i in items)


def _same(values: dict[str, str]) -> str:
    return values["webhook"]


def _hook_read(parsed: dict[str, Any]) -> dict[str, str]:
    return {"webhook": str(parsed.get("url", ""))}


# -- Telegram ------------------------------------------------------------------------------------------------


def _telegram(v: dict[str, str]) -> str:
    chats = split_list("chat_id", v["chat_id"], lambda c: c.lstrip("-").isdigit() or c.startswith("@"), "a chat id")
    return f"tgram://{q(v['bot_token'])}/{'/'.join(q(c) for c in chats)}/"


def _telegram_read(p: dict[str, Any]) -> dict[str, str]:
    return {"bot_token": str(p.get("bot_token") or ""), "chat_id": _first(p, "targets")}


# -- email -----------------------------------------------------------------------------------------------------


def _email(v: dict[str, str]) -> str:
    to = split_list("to", v["to"], lambda a: bool(EMAIL.match(a)), "an email address")
    scheme = "mailto" if v["mode"] == "insecure" else "mailtos"
    auth = f"{q(v['user'])}:{q(v['password'])}@" if v["user"] else ""
    if v["password"] and not v["user"]:
        raise FieldProblem("user", "A password needs a user name.")
    port = f":{v['port']}" if v["port"] else ""
    return f"{scheme}://{auth}{v['host']}{port}/?from={q(v['sender'])}&to={q(','.join(to))}&mode={v['mode']}"


def _email_read(p: dict[str, Any]) -> dict[str, str]:
    return {
        "host": str(p.get("host") or ""), "port": str(p.get("port") or ""), "mode": str(p.get("secure_mode") or ""),
        "user": _plain(p, "user"), "password": _plain(p, "password"),
        "sender": str(p.get("from_addr") or ""), "to": _first(p, "targets"),
    }  # fmt: skip


# -- ntfy, Gotify, Matrix: a server of one's own ---------------------------------------------------------------


def _ntfy(v: dict[str, str]) -> str:
    secure, netloc, path = server("server", v["server"])
    if path:
        raise FieldProblem("server", "Enter the server without a path, like https://ntfy.sh.")
    token = f"?auth=token&token={q(v['token'])}" if v["token"] else ""
    return f"ntfy{'s' if secure else ''}://{netloc}/{q(v['topic'])}{token}"


def _ntfy_read(p: dict[str, Any]) -> dict[str, str]:
    return {"server": server_text(p), "topic": _first(p, "targets"), "token": str(p.get("token") or "")}


def _gotify(v: dict[str, str]) -> str:
    secure, netloc, path = server("server", v["server"])
    return f"gotify{'s' if secure else ''}://{netloc}{path}/{q(v['token'])}/?priority={v['priority']}"


def _gotify_read(p: dict[str, Any]) -> dict[str, str]:
    path = str(p.get("fullpath") or "").rstrip("/")
    return {"server": server_text(p, path), "token": str(p.get("token") or ""), "priority": str(p.get("priority"))}


def _matrix(v: dict[str, str]) -> str:
    secure, netloc, path = server("server", v["server"])
    if path:
        raise FieldProblem("server", "Enter the homeserver without a path, like https://matrix.example.org.")
    return f"matrix{'s' if secure else ''}://{q(v['user'])}:{q(v['password'])}@{netloc}/{q(v['room'])}"


def _matrix_read(p: dict[str, Any]) -> dict[str, str]:
    return {
        "server": server_text(p), "user": _plain(p, "user"), "password": _plain(p, "password"),
        "room": _first(p, "targets"),
    }  # fmt: skip


# -- keys only: Pushover, PagerDuty, Opsgenie --------------------------------------------------------------------


def _pushover(v: dict[str, str]) -> str:
    return f"pover://{q(v['user_key'])}@{q(v['token'])}/"


def _pushover_read(p: dict[str, Any]) -> dict[str, str]:
    return {"user_key": str(p.get("user_key") or ""), "token": str(p.get("token") or "")}


def _pagerduty(v: dict[str, str]) -> str:
    return f"pagerduty://{q(v['integration_key'])}@{q(v['api_key'])}/?region={v['region']}"


def _pagerduty_read(p: dict[str, Any]) -> dict[str, str]:
    return {"integration_key": str(p.get("integrationkey") or ""), "api_key": str(p.get("apikey") or ""),
            "region": str(p.get("region_name") or "us")}  # fmt: skip


def _opsgenie(v: dict[str, str]) -> str:
    return f"opsgenie://{q(v['api_key'])}/?region={v['region']}"


def _opsgenie_read(p: dict[str, Any]) -> dict[str, str]:
    return {"api_key": str(p.get("apikey") or ""), "region": str(p.get("region_name") or "us")}


def _raw(v: dict[str, str]) -> str:
    return v["url"]


_TOKEN = r"[A-Za-z0-9_.~-]+"
SERVICE_TABLE: tuple[Service, ...] = (
    Service("slack", "Slack", APPRISE, (_hook_url("webhook", "Webhook URL", "https://hooks.slack.com/services/T…/B…/…"),),
            _same, _hook_read, ("NotifySlack",), "A Slack app's incoming webhook (Slack: Apps → Incoming Webhooks)."),
    Service("discord", "Discord", APPRISE,
            (_hook_url("webhook", "Webhook URL", "https://discord.com/api/webhooks/123…/abc…"),),
            _same, _hook_read, ("NotifyDiscord",), "Server settings → Integrations → Webhooks → Copy Webhook URL."),
    Service("teams", "Microsoft Teams", APPRISE,
            (_hook_url("webhook", "Workflow URL", "https://prod-00.westus.logic.azure.com:443/workflows/…"),),
            _same, _hook_read, ("NotifyWorkflows",),
            "A Power Automate workflow \"Post to a channel when a webhook request is received\"; copy its URL."),
    Service("telegram", "Telegram", APPRISE, (
        Field("bot_token", "Bot token", hint="From @BotFather, like 123456789:AAH…", secret=True,
              pattern=r"\d+:[A-Za-z0-9_-]+",
              pattern_message="A bot token looks like 123456789:AAH… (from @BotFather)."),
        Field("chat_id", "Chat id", placeholder="-1001234567890",
              hint="A user, group or channel id (-100… for groups), or @channelname; several: commas."),
    ), _telegram, _telegram_read, ("NotifyTelegram",)),
    Service("email", "Email (SMTP)", APPRISE, (
        Field("host", "SMTP server", placeholder="smtp.example.com", pattern=r"[A-Za-z0-9.-]+", binds=True,
              pattern_message="Enter a host name, like smtp.example.com (no scheme, no port)."),
        Field("port", "Port", hint="Empty: 587 with STARTTLS, 465 with TLS, 25 without.", required=False, binds=True,
              input="number", pattern=r"[1-9][0-9]{0,4}", pattern_message="The port must be a number from 1 to 65535."),
        Field("mode", "Security", binds=True, default="starttls",
              choices=(("starttls", "STARTTLS"), ("ssl", "TLS"), ("insecure", "None (plain SMTP)"))),
        Field("user", "User name", required=False),
        Field("password", "Password", secret=True, required=False),
        Field("sender", "From", placeholder="kairos@example.com", input="email", pattern=EMAIL.pattern[1:-1],
              pattern_message="Enter an email address, like kairos@example.com."),
        Field("to", "To", hint="One or more addresses, separated by commas.", placeholder="ops@example.com"),
    ), _email, _email_read, ("NotifyEmail",)),
    Service("ntfy", "ntfy", APPRISE, (
        Field("server", "Server", default="https://ntfy.sh", placeholder="https://ntfy.sh", input="url", binds=True),
        Field("topic", "Topic", pattern=r"[A-Za-z0-9_-]{1,64}", pattern_message="A topic is letters, digits, _ and -."),
        Field("token", "Access token", hint="For a protected topic (tk_…); empty: none.", secret=True, required=False,
              pattern=_TOKEN, pattern_message="An access token is letters, digits and _ . ~ -."),
    ), _ntfy, _ntfy_read, ("NotifyNtfy",)),
    Service("gotify", "Gotify", APPRISE, (
        Field("server", "Server", placeholder="https://gotify.example.com", input="url", binds=True),
        Field("token", "Application token", secret=True, pattern=_TOKEN,
              pattern_message="An application token is letters, digits and _ . ~ -."),
        Field("priority", "Priority", choices=(("low", "Low"), ("moderate", "Moderate"), ("normal", "Normal"),
                                               ("high", "High"), ("emergency", "Emergency")), default="normal"),
    ), _gotify, _gotify_read, ("NotifyGotify",)),
    Service("pushover", "Pushover", APPRISE, (
        Field("user_key", "User key", secret=True, pattern=r"[A-Za-z0-9]{30}",
              pattern_message="A Pushover user key is 30 letters and digits."),
        Field("token", "Application token", secret=True, pattern=r"[A-Za-z0-9]{30}",
              pattern_message="A Pushover application token is 30 letters and digits."),
    ), _pushover, _pushover_read, ("NotifyPushover",)),
    Service("pagerduty", "PagerDuty", APPRISE, (
        Field("integration_key", "Integration key", hint="Of an Events API v2 integration.", secret=True,
              pattern=_TOKEN, pattern_message="An integration key is letters, digits and _ . ~ -."),
        Field("api_key", "API key", secret=True, pattern=_TOKEN,
              pattern_message="An API key is letters, digits and _ . ~ -."),
        Field("region", "Region", choices=_REGIONS, default="us"),
    ), _pagerduty, _pagerduty_read, ("NotifyPagerDuty",)),
    Service("opsgenie", "Opsgenie", APPRISE, (
        Field("api_key", "API key", hint="Of an API integration.", secret=True, pattern=_TOKEN,
              pattern_message="An API key is letters, digits and _ . ~ -."),
        Field("region", "Region", choices=_REGIONS, default="us"),
    ), _opsgenie, _opsgenie_read, ("NotifyOpsgenie",)),
    Service("matrix", "Matrix", APPRISE, (
        Field("server", "Homeserver", placeholder="https://matrix.example.org", input="url", binds=True),
        Field("user", "User name", placeholder="kairos"),
        Field("password", "Password", secret=True),
        Field("room", "Room", placeholder="#alerts:example.org", pattern=r"[#!][^\s/]+:[^\s/]+",
              pattern_message="A room looks like #alerts:example.org or !id:example.org."),
    ), _matrix, _matrix_read, ("NotifyMatrix",)),
    Service(WEBHOOK.lower(), "Webhook (JSON)", WEBHOOK, (
        Field("url", "URL", hint="Gets Kairos's own JSON payload as a POST.", secret=True, input="url",
              placeholder="https://hooks.example.com/kairos"),
    ), _raw, None, (), "Any http(s) endpoint; the payload is described in the notifications documentation."),
    Service("apprise", "Advanced: Apprise URL", APPRISE, (
        Field("url", "Apprise URL", hint="Any of Apprise's services: slack://…, mailtos://…, json://…", secret=True),
    ), _raw, None, (), "For services and options the form does not list; see the Apprise wiki."),
)  # fmt: skip
