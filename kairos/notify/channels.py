"""Sending one message to one channel: Apprise (every service it knows) or a plain JSON webhook.

A message is one event or a group of them (everything due for the channel within the grouping window), so a
network-wide failure sends "20 resources not available: a, b, c, …" once, not twenty times. URLs carry secrets:
they never reach a log line or an error message of ours, only their masked form (``slack://…``)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import apprise

from kairos import __version__
from kairos.net.client import Session
from kairos.net.errors import NetError
from kairos.net.policy import parse_http_url
from kairos.net.timing import Trace
from kairos.notify.events import iso

APPRISE, WEBHOOK = "APPRISE", "WEBHOOK"
KINDS = (APPRISE, WEBHOOK)
SEND_TIMEOUT_S = 15.0
MAX_RESPONSE_BYTES = 64 * 1024
MAX_NAMES = 10  # names listed in a grouped message before "and N more"

# Apprise's debug lines print the URLs it loads, and urllib3's (under Apprise's requests) the paths it posts to:
# ours carry secrets (tokens in paths), and warnings say enough. Kairos's own HTTP client is not urllib3.
for _name in ("apprise", "urllib3"):
    logging.getLogger(_name).setLevel(logging.WARNING)

_HEADLINES = {
    "outage_opened": ("not available", "is not available"),
    "outage_reminder": ("still not available", "is still not available"),
    "outage_resolved": ("available again", "is available again"),
    "digest_changed": ("re-pushed", "was re-pushed (digest changed)"),
    "cert_expiring": ("certificate expiring", "has a TLS certificate close to expiry"),
    "discovery_found": ("discovered", "was discovered"),
    "discovery_lost": ("gone from the registry", "is gone from the registry"),
    "location_down": ("down", "is down, its checks are paused"),
    "location_up": ("checking again", "is checking again"),
    "test": ("test", "test message"),
}


class DeliveryError(Exception):
    """The channel refused or could not be reached; the text is safe to store and show (no URL)."""


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str
    payload: dict[str, Any]  # the JSON webhook's body (docs/notifications.md)


def mask(url: str) -> str:
    """What the API shows of a URL: its scheme only."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    return f"{scheme[:20]}://…" if scheme else "…"


def validate(kind: str, url: str) -> str | None:
    """Why ``url`` cannot be used for ``kind``, or None."""
    if kind == WEBHOOK:
        try:
            parse_http_url(url)
        except ValueError as exc:
            return f"not a valid http(s) URL: {exc}"
        return None
    if apprise.Apprise.instantiate(url) is None:
        return f"Apprise does not understand this URL (scheme {mask(url)})"
    return None


def compose(events: list[dict[str, Any]], *, test: bool = False) -> Message:
    """One message for ``events`` (the outbox payloads of one channel, oldest first)."""
    counts = Counter(e["event"] for e in events)
    if len(events) == 1:
        e = events[0]
        headline = f"{_subject(e)} {_HEADLINES.get(e['event'], ('', e['event']))[1]}"
        body = headline + (f": {e['message']}" if e.get("message") else "")
    else:
        parts = []
        for kind, n in counts.items():
            of_kind = [e for e in events if e["event"] == kind]
            names = [str(e["location"]) if e.get("location") else str(e["resource"].get("name")) for e in of_kind]
            listed = ", ".join(names[:MAX_NAMES]) + (f", and {n - MAX_NAMES} more" if n > MAX_NAMES else "")
            noun = "locations" if of_kind[0].get("location") else "resources"
            parts.append(f"{n} {noun} {_HEADLINES.get(kind, ('', kind))[0]}: {listed}")
        headline = "; ".join(parts)
        body = "\n".join(parts)
    payload = {
        "source": "kairos",
        "version": __version__,
        "title": f"Kairos: {headline}"[:250],
        "text": body,
        "count": len(events),
        "counts": dict(counts),
        "test": test,
        "sentAt": iso(datetime.now(UTC)),
        "events": events,
    }
    return Message(title=str(payload["title"]), body=body, payload=payload)


def _subject(event: dict[str, Any]) -> str:
    """Who the event is about: a resource, or a location of the fleet (location events name no resource)."""
    if event.get("location"):
        return f"Location {event['location']}"
    return str(event["resource"].get("name"))


def test_message() -> Message:
    return compose(
        [{"event": "test", "at": iso(datetime.now(UTC)), "resource": {"name": "Kairos"}, "message": ""}], test=True
    )


async def send(kind: str, url: str, message: Message, *, user_agent: str) -> None:
    """Deliver ``message``; raises :class:`DeliveryError` with a URL-free reason."""
    if kind == WEBHOOK:
        await _webhook(url, message, user_agent)
    else:
        await asyncio.to_thread(_apprise, url, message)


async def _webhook(url: str, message: Message, user_agent: str) -> None:
    body = json.dumps(message.payload, separators=(",", ":")).encode()
    headers = [("content-type", "application/json"), ("accept", "application/json, */*")]
    try:
        target = parse_http_url(url)
        async with Session(user_agent=user_agent, max_body_bytes=MAX_RESPONSE_BYTES, keep_alive=False) as session:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                response, _ = await session.request("POST", target, headers, trace=Trace(), body=body)
    except TimeoutError:
        raise DeliveryError(f"no answer within {SEND_TIMEOUT_S:.0f} s") from None
    except NetError as exc:
        # NetError messages name hosts and addresses, never the path or query where tokens live.
        raise DeliveryError(_host_only(str(exc), url)) from None
    except ValueError:
        raise DeliveryError("invalid webhook URL") from None
    if not 200 <= response.status < 300:
        raise DeliveryError(f"the webhook answered HTTP {response.status} {response.reason}".strip())


def _apprise(url: str, message: Message) -> None:
    sender = apprise.Apprise()
    if not sender.add(url):
        raise DeliveryError(f"Apprise does not understand this URL (scheme {mask(url)})")
    result = sender.notify(body=message.body, title=message.title, timeout=SEND_TIMEOUT_S)
    if not result:
        lines = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR")]
        text = "; ".join(dict.fromkeys(lines))[:1000] or "Apprise reported a failure"
        raise DeliveryError(_host_only(text, url))


def _host_only(text: str, url: str) -> str:
    """Belt and braces: never let the URL itself (or its path and query) through in an error text."""
    if url in text:
        text = text.replace(url, mask(url))
    tail = url.split("://", 1)[-1]
    for secret in (tail, tail.split("@", 1)[0], tail.partition("/")[2]):
        if len(secret) >= 6 and secret in text:
            text = text.replace(secret, "…")
    return text
