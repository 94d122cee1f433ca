"""Tags as metrics labels, opt-in: ``KAIROS_METRICS_TAG_LABELS=team,env`` adds a ``team`` and an ``env`` label to
every per-resource series (its value, or "" for a resource without that tag).

Off by default because each distinct value makes a new series for every per-resource metric: the operator
chooses keys with few values (docs/tags.md). The values are read from the database at most every
``REFRESH_S`` seconds, on a scrape, with one grouped query; the collector itself never touches the database."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.services.tags import tags_by_resource

log = logging.getLogger("kairos.metrics")

REFRESH_S = 30.0
_BUILT_IN = {"resource_id", "resource_name", "resource_type", "location", "kind", "status", "code", "phase"}
_KEY = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


def label_name(key: str) -> str:
    """A tag key as a Prometheus label name: ``-`` and ``.`` become ``_``."""
    return key.replace("-", "_").replace(".", "_")


def parse_keys(value: str) -> list[str]:
    """The configured keys, lower case, in order, without repeats; a key that is not a tag key or that would
    clash with a built-in label (``location``, …) is left out with a warning, never a failed start."""
    keys: list[str] = []
    for raw in re.split(r"[,\s]+", value.strip().lower()):
        if not raw or raw in keys:
            continue
        if not _KEY.match(raw) or label_name(raw) in _BUILT_IN or label_name(raw) in map(label_name, keys):
            log.warning("KAIROS_METRICS_TAG_LABELS: %r is not usable as a label; left out", raw)
            continue
        keys.append(raw)
    return keys


class TagLabels:
    """The tag keys shown as labels and each resource's values for them."""

    def __init__(self, keys: list[str] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.version = 0  # bumped on every change of keys or values: cached label texts are remade
        self.configure(keys or [])

    def configure(self, keys: list[str]) -> None:
        self.version += 1
        self.keys = keys
        self.names = [label_name(k) for k in keys]
        self._values: dict[int, dict[str, str]] = {}
        self._loaded_at: float | None = None

    def values_of(self, resource_id: int) -> list[str]:
        found = self._values.get(resource_id, {})
        return [found.get(k, "") for k in self.keys]

    async def refresh(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """Reload the values when older than ``REFRESH_S`` (no query at all when no key is configured)."""
        now = self._clock()
        if not self.keys or (self._loaded_at is not None and now - self._loaded_at < REFRESH_S):
            return
        async with sessionmaker() as session:
            values = await tags_by_resource(session, self.keys)
        if values != self._values:
            self._values = values
            self.version += 1
        self._loaded_at = now

    def invalidate(self) -> None:
        self._loaded_at = None
