"""The Java Kairos export (``format: kairos-resources``, ``schemaVersion: 1``) as a ``kairos/v1`` document.

Each entry becomes a resource; its ``groupName`` becomes a PUBLIC group, groups in first-seen order and
members in file order. Field names map one to one except ``resourceType`` → ``type`` and ``groupName``."""

from __future__ import annotations

from typing import Any

from kairos.config_as_code.errors import ConfigError
from kairos.probes.kinds import all_specs

FORMAT = "kairos-resources"


def _type_aliases() -> dict[str, str]:
    """The Java Kairos spelled types in upper case; older exports and hand edits vary, so match loosely
    (each kind's spec lists its other spellings)."""
    return {alias: spec.name for spec in all_specs() for alias in (spec.name.lower(), *spec.aliases)}


_SAME = ("name", "target", "skipTLS", "recursive", "active", "displayOrder")
_KNOWN = {*_SAME, "resourceType", "groupName", "id", "description"}

Lines = dict[tuple[str | int, ...], int]


def convert(raw: dict[str, Any], lines: Lines, source: str) -> tuple[dict[str, Any], Lines]:
    """The v1 mapping and its line map (v1 paths pointing at the Java file's lines)."""

    def fail(path: tuple[str | int, ...], message: str, field: str) -> ConfigError:
        return ConfigError(message, source=source, line=lines.get(path, lines.get(path[:-1])), field=field)

    if raw.get("schemaVersion") != 1:
        raise fail(("schemaVersion",), f"unsupported value {raw.get('schemaVersion')!r} (known: 1)", "schemaVersion")
    entries = raw.get("resources")
    if not isinstance(entries, list):
        raise fail(("resources",), "must be a list", "resources")
    out_lines: Lines = {(): lines.get((), 1)}
    resources: list[dict[str, Any]] = []
    aliases = _type_aliases()
    groups: dict[str, list[str]] = {}
    for i, entry in enumerate(entries):
        where = ("resources", i)
        if not isinstance(entry, dict):
            raise fail(where, "must be a mapping", f"resources[{i}]")
        for key in entry:
            if key not in _KNOWN:
                raise fail((*where, key), "unknown field", f"resources[{i}].{key}")
        item = {k: entry[k] for k in _SAME if k in entry}
        kind = entry.get("resourceType")
        item["type"] = aliases.get(str(kind).lower(), kind) if kind is not None else None
        group = entry.get("groupName")
        if group:
            item["groups"] = [str(group)]
            if item.get("name") is not None:
                groups.setdefault(str(group), []).append(str(item["name"]))
        resources.append(item)
        for path, line in lines.items():
            if path[:2] == where:
                rest = tuple("type" if p == "resourceType" else p for p in path[2:])
                out_lines[(*where, *rest)] = line
    converted = {
        "apiVersion": "kairos/v1",
        "kind": "KairosConfig",
        "groups": [
            {"name": name, "visibility": "PUBLIC", "order": n, "members": members}
            for n, (name, members) in enumerate(groups.items())
        ],
        "resources": resources,
    }
    return converted, out_lines
