"""A YAML loader for documents from outside: no anchors or aliases, bounded nesting, no duplicate keys.

Aliases let a 1 KB document expand to billions of nodes (the "billion laughs" bomb), nesting recursion ends in
``RecursionError``, and a duplicate key silently wins over the first. Configuration as code needs none of
these, so each is refused with the line that shows it; JSON documents (a subset of YAML) get the same checks.
Composition is pure Python (PyYAML's C composer cannot be hooked): callers on the event loop run it in a thread."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent

MAX_DEPTH = 32


class Refused(yaml.YAMLError):
    """A document this loader will not read; ``line`` is 1-based."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses anchors, aliases, deep nesting and duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise Refused("anchors and aliases (&name, *name) are not supported", line)
        nested = isinstance(event, MappingStartEvent | SequenceStartEvent)
        if nested and self._depth >= MAX_DEPTH:
            raise Refused(f"nested deeper than {MAX_DEPTH} levels", line)
        self._depth += nested
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= nested

    def compose_mapping_node(self, anchor: str | None) -> yaml.MappingNode:
        node: yaml.MappingNode = super().compose_mapping_node(anchor)
        first: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            line = key.start_mark.line + 1
            if (key.tag, key.value) in first:
                seen = first[(key.tag, key.value)]
                raise Refused(f"duplicate key {key.value[:80]!r} (lines {seen} and {line})", line)
            first[(key.tag, key.value)] = line
        return node


def load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the plain value of a single document."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, value
