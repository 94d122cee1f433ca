"""What an API key may do: a set of scopes, named as in the Java Kairos so its keys keep their meaning.

- ``STATUS_READ``: read what needs authentication (history, outages, AUTHENTICATED groups, the fleet).
- ``CHECK_EXECUTE``: check a resource now, run an instant check against any target.
- ``RESOURCE_MANAGE``: create, change, pause and delete resources and groups (and see HIDDEN ones).
- ``ANNOUNCEMENT_MANAGE``: write announcements.
- ``MCP_ACCESS``: open the MCP server at ``/mcp`` (each tool still needs its own scope).
- ``ADMIN``: everything above, and what only admins do (users, keys, credentials, notifications, discovery,
  settings, configuration as code).

Two presets keep the roles keys had before scopes: ``READ`` is {STATUS_READ}, ``ADMIN`` is {ADMIN}. Signed-in
users map the same way: an ADMIN user holds ADMIN, a USER holds STATUS_READ."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Scope(StrEnum):
    STATUS_READ = "STATUS_READ"
    CHECK_EXECUTE = "CHECK_EXECUTE"
    RESOURCE_MANAGE = "RESOURCE_MANAGE"
    ANNOUNCEMENT_MANAGE = "ANNOUNCEMENT_MANAGE"
    MCP_ACCESS = "MCP_ACCESS"
    ADMIN = "ADMIN"


ALL: tuple[Scope, ...] = tuple(Scope)
PRESETS: dict[str, frozenset[Scope]] = {
    "READ": frozenset({Scope.STATUS_READ}),
    "ADMIN": frozenset({Scope.ADMIN}),
}
DESCRIPTIONS: dict[Scope, str] = {
    Scope.STATUS_READ: "Read history, outages and groups that need sign-in",
    Scope.CHECK_EXECUTE: "Check a resource now and run instant checks",
    Scope.RESOURCE_MANAGE: "Create, change, pause and delete resources and groups",
    Scope.ANNOUNCEMENT_MANAGE: "Write announcements",
    Scope.MCP_ACCESS: "Use the MCP server (/mcp) for AI assistants",
    Scope.ADMIN: "Everything, including users, keys, credentials, notifications and settings",
}


class UnknownScope(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown scope {name!r}: use one of {', '.join(ALL)} (or the presets READ, ADMIN)")
        self.name = name


def parse(names: Iterable[str]) -> frozenset[Scope]:
    """Scope names (case-insensitive, presets allowed) to a set; raises :class:`UnknownScope`."""
    scopes: set[Scope] = set()
    for raw in names:
        name = raw.strip().upper()
        if name in PRESETS:
            scopes |= PRESETS[name]
        elif name in Scope.__members__:
            scopes.add(Scope(name))
        else:
            raise UnknownScope(raw)
    # ADMIN holds everything: storing more beside it would only make the list noisy.
    return frozenset({Scope.ADMIN}) if Scope.ADMIN in scopes else frozenset(scopes)


def grants(scopes: Iterable[str], needed: str) -> bool:
    held = set(scopes)
    return Scope.ADMIN in held or needed in held


def encode(scopes: Iterable[str]) -> str:
    """The stored form: names in a fixed order, space-separated."""
    held = set(scopes)
    return " ".join(s for s in ALL if s in held)


def decode(stored: str | None) -> frozenset[Scope]:
    """The stored form back; names a newer version wrote and this one does not know are dropped (fail closed)."""
    return frozenset(Scope(s) for s in (stored or "").split() if s in Scope.__members__)


def preset_name(scopes: Iterable[str]) -> str | None:
    """READ or ADMIN when the set is exactly a preset, else None."""
    held = frozenset(scopes)
    return next((name for name, preset in PRESETS.items() if preset == held), None)
