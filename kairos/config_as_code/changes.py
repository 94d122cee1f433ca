"""The plan of an import (what it changes, section by section) and the helpers every section's apply shares.

Its own module so that the sections applied elsewhere (:mod:`kairos.config_as_code.notify_plan`) build on it without
importing :mod:`kairos.config_as_code.plan`, which runs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kairos.config_as_code.source import Document, dotted, snake
from kairos.crypto import SecretBox

Action = Literal["create", "update", "delete"]


@dataclass
class Change:
    section: str
    name: str
    action: Action
    fields: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"section": self.section, "name": self.name, "action": self.action, "fields": self.fields}


@dataclass(frozen=True)
class Kept:
    """A stored secret kept because the document has the export's own placeholder for it and it was not set."""

    section: str
    name: str
    field: str

    def as_json(self) -> dict[str, Any]:
        return {"section": self.section, "name": self.name, "field": self.field}


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    resources_touched: set[int] = field(default_factory=set)
    resources_deleted: set[int] = field(default_factory=set)
    types_changed: bool = False
    credentials_changed: bool = False
    notifications_changed: bool = False
    kept: list[Kept] = field(default_factory=list)

    def add(self, section: str, name: str, action: Action, fields: list[str] | None = None) -> None:
        self.changes.append(Change(section, name, action, fields or []))

    def counts(self) -> dict[str, int]:
        return {a: sum(1 for c in self.changes if c.action == a) for a in ("create", "update", "delete")}


def kept_secrets(doc: Document) -> list[Kept]:
    """``doc.kept`` (paths such as ``credentials[0].secret``) by the names of their objects."""
    out: list[Kept] = []
    for path in doc.kept:
        section, index, *rest = path
        items = getattr(doc.config, snake(str(section)))
        out.append(Kept(str(section), str(items[int(index)].name), dotted(tuple(rest))))
    return out


def differ(row: Any, wanted: dict[str, Any]) -> list[str]:
    """Set the columns of ``row`` to ``wanted``; the names of those that changed."""
    changed = [key for key, value in wanted.items() if getattr(row, key) != value]
    for key in changed:
        setattr(row, key, wanted[key])
    return changed


def by_name(rows: list[Any], doc: Document, section: str, names: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in rows:
        if row.name in out and row.name in names:
            raise doc.error((section,), f"{row.name!r} names several rows in the database; rename one first")
        out.setdefault(row.name, row)
    return out


def open_sealed(box: SecretBox, token: bytes | None) -> str | None:
    try:
        return box.open(token) if token is not None else None
    except Exception:  # a secret sealed with another key: treat as different, the import re-seals it
        return None
