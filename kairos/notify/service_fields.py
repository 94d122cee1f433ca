"""The parts the channel builder's services are made of: a field (with its own check), a service, and the
small helpers that put server addresses, lists and secrets into a URL safely (every part is quoted, so a
``/`` or ``@`` in a password cannot move the host)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
HOST = re.compile(r"^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$")


class FieldProblem(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = name, message


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    hint: str = ""
    secret: bool = False  # never shown back; blank on edit keeps the stored value
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (value, label): a select
    default: str = ""
    placeholder: str = ""
    input: str = "text"  # the <input> type when there are no choices
    pattern: str = ""  # a full-match regular expression the value must pass
    pattern_message: str = ""
    max_length: int = 2000
    # Where a secret goes (a server, an SMTP host): a stored secret is only kept while this stays the same, so
    # nobody can send a stored token or password to a server of their choosing without typing it again.
    binds: bool = False

    def problem(self, value: str) -> str | None:
        """Why ``value`` cannot be used, as the form shows it; None when it can."""
        if not value:
            return f"Enter the {phrase(self.label)}." if self.required and not self.default else None
        if self.choices and value not in {v for v, _ in self.choices}:
            return f"Choose one of: {', '.join(label for _, label in self.choices)}."
        if self.pattern and not re.fullmatch(self.pattern, value):
            return self.pattern_message or f"This is not a valid {phrase(self.label)}."
        return None


@dataclass(frozen=True, slots=True)
class Service:
    key: str
    label: str
    kind: str  # the channel kind it stores: APPRISE or WEBHOOK
    fields: tuple[Field, ...]
    make: Callable[[dict[str, str]], str]  # complete, checked values → URL; may raise FieldProblem
    read: Callable[[dict[str, Any]], dict[str, str]] | None = None  # the plugin's parse_url result → values
    plugins: tuple[str, ...] = ()  # Apprise plugin classes that must accept the URL (none: raw or webhook)
    help: str = ""
    secrets: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "secrets", tuple(f.name for f in self.fields if f.secret))


def phrase(label: str) -> str:
    """A label inside a sentence: "Bot token" → "bot token", but "SMTP server" and "API key" keep their capitals."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def q(value: str) -> str:
    """One URL part, every reserved character escaped."""
    return quote(value, safe="")


def server(name: str, value: str) -> tuple[bool, str, str]:
    """``https://host:port/path`` as (secure, ``host:port``, path without the trailing slash)."""
    parts = urlsplit(value if "://" in value else f"https://{value}")
    example = f"Enter the server's address, like https://{'ntfy.example.com' if name else 'example.com'}."
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise FieldProblem(name, example)
    if parts.username or parts.password or not HOST.match(parts.hostname):
        raise FieldProblem(name, example)
    try:
        port = parts.port
    except ValueError:
        raise FieldProblem(name, "The port must be a number from 1 to 65535.") from None
    netloc = parts.hostname + (f":{port}" if port else "")
    return parts.scheme == "https", netloc, parts.path.rstrip("/")


def server_text(parsed: dict[str, Any], path: str = "") -> str:
    """The server field's value again from a plugin's ``parse_url`` result."""
    port = f":{parsed['port']}" if parsed.get("port") else ""
    return f"{'https' if parsed.get('secure') else 'http'}://{parsed.get('host', '')}{port}{path}"


def split_list(name: str, value: str, check: Callable[[str], bool], what: str) -> list[str]:
    """A comma-separated list, each entry checked; the error names the first bad entry's position."""
    items = [v.strip() for v in re.split(r"[,;\s]+", value) if v.strip()]
    for n, item in enumerate(items, 1):
        if not check(item):
            raise FieldProblem(name, f"Entry {n} is not {what}.")
    return items


def port_problem(value: str) -> bool:
    return not (value.isdigit() and 1 <= int(value) <= 65535)
