"""What a registry listing is asked for (prefix, options, tag filter, scope) and how it fails.

Its own module so that both listings, the Distribution catalog (:mod:`kairos.registry.discovery`) and the
GitHub packages API (:mod:`kairos.registry.listing_github`), build on it without importing each other."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from kairos import net
from kairos.registry.reference import parse

CATALOG_SCOPE = "registry:catalog:*"
PAGE_SIZE = 100
MAX_PAGES = 10_000  # a registry whose Link never ends must not keep a sync alive forever
LIST_BODY_LIMIT = 8 * 1024 * 1024
_LINK_NEXT = re.compile(r'<([^>]*)>\s*;[^,]*rel="?next"?', re.IGNORECASE)


class DiscoveryError(Exception):
    """Listing failed: the message is stored on the source as its last sync status."""


@dataclass(frozen=True, slots=True)
class Prefix:
    registry: str  # host[:port]
    path: str  # "" for the whole registry, else "team" or "team/sub"

    def __str__(self) -> str:
        return f"{self.registry}/{self.path}" if self.path else self.registry


@dataclass(frozen=True, slots=True)
class ListOptions:
    prefix: Prefix
    recursive: bool = False
    tag_filter: str | None = None
    credential: tuple[str, str] | None = None
    insecure_http: bool = False
    skip_tls: bool = False
    parallelism: int = 1
    page_size: int = PAGE_SIZE
    timeout_s: float = 120.0
    user_agent: str = "Kairos-Monitor"
    github_api: str | None = None  # ghcr.io only; None: $KAIROS_GITHUB_API_URL, else https://api.github.com
    latest_only: bool = False  # keep only the newest tag of each repository (listing_latest)
    policy: net.TargetPolicy = net.OPEN  # the operator's denied networks, as for checks


def list_session(options: ListOptions) -> net.Session:
    """A session for listing requests: the listing's body cap, TLS switch and target policy."""
    return net.Session(
        user_agent=options.user_agent,
        max_body_bytes=LIST_BODY_LIMIT,
        verify_tls=not options.skip_tls,
        policy=options.policy,
    )


def parse_prefix(text: str) -> Prefix:
    """``host:5000/team`` → (``host:5000``, ``team``); raises ``ValueError`` naming the wrong part."""
    text = text.strip().rstrip("/")
    if not text:
        raise ValueError("prefix is empty")
    # Reuse the reference grammar: a dummy last component makes "host:5000" and "host/team" parse alike.
    ref = parse(f"{text}/x")
    path = ref.repository.removesuffix("x").rstrip("/")
    return Prefix(ref.registry, path)


def compile_tag_filter(text: str | None) -> Callable[[str], bool]:
    """A glob (``v*``), or a regular expression after ``re:`` (``re:^v[0-9]+$``); None accepts every tag."""
    if text is None or not text.strip():
        return lambda _tag: True
    if text.startswith("re:"):
        try:
            pattern = re.compile(text[3:])
        except re.error as exc:
            raise ValueError(f"regular expression is invalid: {exc}") from None
        return lambda tag: pattern.search(tag) is not None
    return lambda tag: fnmatch.fnmatchcase(tag, text)


def in_scope(repository: str, prefix: Prefix, recursive: bool) -> bool:
    """Direct children of the prefix (``team/app``), or any depth (``team/a/b``) when recursive."""
    if prefix.path:
        if repository == prefix.path:
            return True
        if not repository.startswith(prefix.path + "/"):
            return False
        rest = repository[len(prefix.path) + 1 :]
    else:
        rest = repository
    return recursive or "/" not in rest


def next_link(header: str | None) -> str | None:
    """The path and query of a ``Link: <…>; rel="next"`` header (absolute or relative), or None."""
    if not header:
        return None
    match = _LINK_NEXT.search(header)
    if not match:
        return None
    parts = urlsplit(match.group(1))
    return parts.path + (f"?{parts.query}" if parts.query else "")
