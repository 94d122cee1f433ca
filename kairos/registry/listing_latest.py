"""Latest tag only: keep the newest tag of one repository (a source's ``latestOnly``, as in the Java Kairos).

The order, in three steps:

1. **Versions.** Tags that are versions (``packaging.version``: ``1.2.3``, ``v1.2``, ``2.0.0-rc.1``,
   ``2024.01.15``) are ordered as versions and the highest wins; ``latest``, ``main``, ``3.12-slim`` and the like
   are not versions and are ignored as long as one tag is. A pre-release (``2.0.0-rc.1``) wins only when the
   repository has no final release.
2. **Newest pushed.** When no tag is a version, the image's ``created`` time (from its config blob, the first
   platform of an index) decides. The Distribution API lists no push times, so this costs two or three requests
   per tag; at most :data:`MAX_DATED` tags of a repository are asked (the last ones in listing order).
   A tag whose date cannot be read counts as oldest.
3. **Name.** Without any date, the greatest tag name wins (so the choice is stable between syncs).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from packaging.version import InvalidVersion, Version

from kairos.registry.client import RegistryClient, RegistryError

MAX_DATED = 25
CreatedOf = Callable[[str], Awaitable[datetime | None]]
_FRACTION = re.compile(r"(\.\d{6})\d+")  # Go writes nanoseconds; Python 3.11 reads at most microseconds


def version_of(tag: str) -> Version | None:
    try:
        return Version(tag)
    except InvalidVersion:
        return None


def newest_by_version(tags: Sequence[str]) -> str | None:
    """The highest version among the tags (a final release before any pre-release), or None."""
    versions = [(v, t) for t in tags if (v := version_of(t)) is not None]
    finals = [(v, t) for v, t in versions if not v.is_prerelease] or versions
    return max(finals)[1] if finals else None  # equal versions (1.0, v1.0): the greater name, for stability


async def newest_tag(tags: Sequence[str], created_of: CreatedOf) -> str | None:
    """The newest of ``tags`` (see the module's documentation), None for no tags."""
    if not tags:
        return None
    by_version = newest_by_version(tags)
    if by_version is not None:
        return by_version
    dated: list[tuple[datetime, str]] = []
    for tag in list(tags)[-MAX_DATED:]:
        created = await created_of(tag)
        if created is not None:
            dated.append((created, tag))
    return max(dated)[1] if dated else max(tags)


def parse_created(value: object) -> datetime | None:
    """An image config's ``created`` (RFC 3339) as an aware datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


async def image_created(client: RegistryClient, tag: str) -> datetime | None:
    """When the image behind ``tag`` was built, from its config blob; None when it cannot be read."""
    try:
        manifest = await client.manifest(tag)
        if manifest.is_index:
            children = [c for c in manifest.children if c.platform != "unknown/unknown"]  # skip attestations
            if not children:
                return None
            manifest = await client.manifest(children[0].digest, expected_digest=children[0].digest)
        if manifest.config is None:
            return None
        result = await client.get(f"/v2/{client.ref.repository}/blobs/{manifest.config.digest}")
    except RegistryError:
        return None
    if result.status != 200 or result.truncated:
        return None
    try:
        config = json.loads(result.body)
    except ValueError:
        return None
    return parse_created(config.get("created")) if isinstance(config, dict) else None
