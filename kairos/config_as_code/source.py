"""Reading a document: YAML with the line of every value, then the model of its version.

YAML (or JSON) without anchors, aliases or duplicate keys, nested at most 32 deep (kairos/config_as_code/loader.py).
Supported: ``apiVersion: kairos/v1`` and the Java Kairos export (``format: kairos-resources``). A new version
adds an entry to ``VERSIONS``: its model, and a converter to the newest model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from kairos.config_as_code import java, loader, secrets, v1
from kairos.config_as_code.errors import ConfigError
from kairos.config_as_code.secrets import SecretPolicy

Path_ = tuple[str | int, ...]
Lines = dict[Path_, int]

# apiVersion → converter of the raw mapping to the newest model (v1 today).
VERSIONS: dict[str, Callable[[dict[str, Any]], v1.KairosConfig]] = {
    v1.API_VERSION: v1.KairosConfig.model_validate,
}


@dataclass
class Document:
    config: v1.KairosConfig
    source: str
    lines: Lines = field(default_factory=dict)
    origin: str = v1.API_VERSION  # or "kairos-resources" for the Java Kairos export
    secrets: SecretPolicy = field(default_factory=SecretPolicy)  # set by the channel; the default reads nothing
    kept: list[Path_] = field(default_factory=list)  # where a stored secret was kept (the export's placeholder)

    def error(self, path: Path_, message: str, code: str = "validation_error") -> ConfigError:
        line = line_of(self.lines, path)
        return ConfigError(message, source=self.source, line=line, field=dotted(path), code=code)

    def secret(self, path: Path_, ref: Any, kept: tuple[str, str, str | None] | None = None) -> str:
        """The value ``ref`` points to. ``kept`` is (kind, name, stored value): when ``ref`` is the placeholder the
        export writes for that object and cannot be resolved here, the stored value stays, so an export goes back
        in (through the API too) without its secrets. Nothing is read to decide this: it tells nothing either."""
        try:
            return secrets.resolve(ref, self.secrets)
        except secrets.Unavailable as exc:
            kind, name, stored = kept or ("", "", None)
            own = self.secrets.placeholder(kind, name)
            if stored is not None and isinstance(ref, str) and ref in {own, secrets.legacy_placeholder(kind, name)}:
                self.kept.append(path)
                return stored
            todo = secrets.advice(ref, self.secrets, kind, own, stored is not None)
            raise self.error(path, f"{exc}: {todo}", code="secret_unavailable") from None


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_of(lines: Lines, path: Path_) -> int | None:
    """The line of the deepest part of ``path`` the document has (a missing field: its parent's line)."""
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


def _walk(node: yaml.Node, path: Path_, lines: Lines) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines[(*path, key.value)] = key.start_mark.line + 1
                _walk(value, (*path, key.value), lines)
                lines[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


def parse(text: str, source: str = "<config>") -> Document:
    """The document in ``text``; ``ConfigError`` names the line and field of the first problem."""
    try:
        node, raw = loader.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = getattr(exc, "line", None) or (mark.line + 1 if mark is not None else None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if isinstance(exc, loader.Refused):
            raise ConfigError(reason, source=source, line=line, code="yaml_refused") from None
        raise ConfigError(f"not valid YAML: {reason}", source=source, line=line) from None
    lines: Lines = {}
    if node is not None:
        _walk(node, (), lines)
    if not isinstance(raw, dict):
        raise ConfigError("the document must be a mapping (apiVersion: kairos/v1, kind: KairosConfig)", source=source)
    if raw.get("format") == java.FORMAT:
        converted, java_lines = java.convert(raw, lines, source)
        return _validated(converted, source, java_lines, java.FORMAT)
    version = raw.get("apiVersion")
    if version not in VERSIONS:
        known = ", ".join(VERSIONS)
        raise ConfigError(f"unsupported apiVersion {version!r} (known: {known})", source=source,
                          line=line_of(lines, ("apiVersion",)), field="apiVersion")  # fmt: skip
    return _validated(raw, source, lines, str(version))


def _validated(raw: dict[str, Any], source: str, lines: Lines, origin: str) -> Document:
    try:
        config = VERSIONS[v1.API_VERSION](raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        path: Path_ = tuple(first["loc"])
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        message = message.removeprefix("Value error, ")
        raise ConfigError(message, source=source, line=line_of(lines, path), field=dotted(path)) from None
    doc = Document(config, source, lines, origin)
    _check_unique(doc)
    return doc


def _check_unique(doc: Document) -> None:
    for section, key in v1.UNIQUE.items():
        seen: set[Any] = set()
        for i, item in enumerate(getattr(doc.config, snake(section))):
            value = getattr(item, key)
            if value in seen:
                shown = value if isinstance(value, str) else str(value)
                raise doc.error((section, i, _camel(key)), f"{shown[:80]!r} is listed twice")
            seen.add(value)


def snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
