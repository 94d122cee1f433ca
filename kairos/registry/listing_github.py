"""Listing ``ghcr.io/<owner>[/path]`` through the GitHub packages API, since ghcr.io serves no ``_catalog``.

Packages of an organisation (``/orgs/{owner}/packages``), or of a user when the organisation route answers
404, paged with ``Link: rel="next"``; then each package's versions, whose ``metadata.container.tags`` are
the tags. The source's password is the GitHub token; it is sent to the API origin only (a ``next`` link to
another origin is refused rather than followed with the token). Images keep their registry name:
``ghcr.io/<owner>/<package>:<tag>``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote, urlsplit

from kairos import net
from kairos.registry.listing_latest import CreatedOf, newest_tag, parse_created
from kairos.registry.listing_options import (
    LIST_BODY_LIMIT,
    MAX_PAGES,
    DiscoveryError,
    ListOptions,
    compile_tag_filter,
    in_scope,
    list_session,
)

GHCR = "ghcr.io"
API_ENV = "KAIROS_GITHUB_API_URL"  # tests (or GitHub Enterprise) point the listing elsewhere
DEFAULT_API = "https://api.github.com"
_LINK_NEXT_PARTS = ("rel=next", 'rel="next"')


def is_github(registry: str) -> bool:
    return registry == GHCR


def api_url(options: ListOptions) -> str:
    return (options.github_api or os.environ.get(API_ENV) or DEFAULT_API).rstrip("/")


@dataclass(frozen=True, slots=True)
class _Api:
    """Where and how to ask: the API base, the owner's route (``orgs`` or ``users``) and the headers."""

    base: str
    owner: str
    headers: tuple[tuple[str, str], ...]
    deadline: float
    kind: str = "orgs"

    def url(self, tail: str) -> str:
        return f"{self.base}/{self.kind}/{quote(self.owner, safe='')}/{tail}"

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DiscoveryError("GitHub API: the listing ran out of time")
        return left


async def list_github(options: ListOptions) -> list[str]:
    """Every ``ghcr.io/owner/package:tag`` under the prefix that passes the tag filter, sorted."""
    owner = options.prefix.path.partition("/")[0]
    if not owner:
        raise DiscoveryError("ghcr.io prefix needs an owner: ghcr.io/<owner>[/path]")
    accept = compile_tag_filter(options.tag_filter)
    api = _Api(api_url(options), owner, _headers(options), time.monotonic() + options.timeout_s)
    async with list_session(options) as session:
        api, names = await _packages(session, api, options.page_size)
    packages = [n for n in names if in_scope(f"{owner}/{n}", options.prefix, options.recursive)]
    tags = await _all_versions(options, api, packages)
    found: set[str] = set()
    for package, dated in tags.items():
        kept = [t for t in dated if accept(t)]
        if options.latest_only:
            # GitHub knows when each version was pushed: no extra request for the "newest pushed" order.
            newest = await newest_tag(kept, _known_date(dated))
            kept = [newest] if newest is not None else []
        found.update(f"{GHCR}/{owner}/{package}:{t}" for t in kept)
    return sorted(found)


def _known_date(dated: dict[str, datetime | None]) -> CreatedOf:
    async def created_of(tag: str) -> datetime | None:
        return dated.get(tag)

    return created_of


def _headers(options: ListOptions) -> tuple[tuple[str, str], ...]:
    headers = [("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")]
    if options.credential is not None:
        headers.append(("Authorization", f"Bearer {options.credential[1]}"))
    return tuple(headers)


async def _packages(session: net.Session, api: _Api, page_size: int) -> tuple[_Api, list[str]]:
    """Container package names, from the organisation route or, when it answers 404, the user route."""
    query = f"packages?package_type=container&per_page={page_size}&page=1"
    first = await _get(session, api, api.url(query), f"packages of {api.owner}", missing_ok=True)
    if first.status == 404:
        api = replace(api, kind="users")
        first = await _get(session, api, api.url(query), f"packages of {api.owner}", missing_ok=True)
        if first.status == 404:
            raise DiscoveryError(f"GitHub API: no organisation or user named {api.owner} (HTTP 404)")
    items = await _pages(session, api, first, f"packages of {api.owner}")
    return api, [name for item in items if isinstance(name := item.get("name"), str) and name]


async def _all_versions(options: ListOptions, api: _Api, packages: list[str]) -> dict[str, dict[str, datetime | None]]:
    """Tags per package, ``parallelism`` packages at a time; any failure fails the whole listing."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for package in packages:
        queue.put_nowait(package)
    found: dict[str, dict[str, datetime | None]] = {}
    errors: list[DiscoveryError] = []
    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, min(options.parallelism, len(packages)))):
            group.create_task(_versions_worker(options, api, queue, found, errors))
    if errors:
        raise errors[0]  # a partial listing must not deactivate what it missed
    return found


async def _versions_worker(
    options: ListOptions,
    api: _Api,
    queue: asyncio.Queue[str],
    found: dict[str, dict[str, datetime | None]],
    errors: list[DiscoveryError],
) -> None:
    # Errors are collected, not raised: a TaskGroup would wrap them in an ExceptionGroup.
    async with list_session(options) as session:
        while not queue.empty() and not errors:
            package = queue.get_nowait()
            try:
                found[package] = await _tags(session, api, package, options.page_size)
            except DiscoveryError as exc:
                errors.append(exc)


async def _tags(session: net.Session, api: _Api, package: str, page_size: int) -> dict[str, datetime | None]:
    """Each tag with the time its version was pushed (``updated_at``, else ``created_at``)."""
    # Nested names ("team/app") are one path segment here: the slash travels as %2F.
    url = api.url(f"packages/container/{quote(package, safe='')}/versions?per_page={page_size}&page=1")
    what = f"versions of {api.owner}/{package}"
    first = await _get(session, api, url, what, missing_ok=True)
    if first.status == 404:
        return {}  # deleted between the two calls: nothing to monitor
    tags: dict[str, datetime | None] = {}
    for version in await _pages(session, api, first, what):
        metadata = version.get("metadata")
        container = metadata.get("container") if isinstance(metadata, dict) else None
        listed = container.get("tags") if isinstance(container, dict) else None
        pushed = parse_created(version.get("updated_at") or version.get("created_at"))
        tags.update((t, pushed) for t in listed or [] if isinstance(t, str) and t)
    return tags


async def _pages(session: net.Session, api: _Api, first: net.FetchResult, what: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    result: net.FetchResult | None = first
    for _ in range(MAX_PAGES):
        if result is None:
            return items
        items.extend(_json_list(result, what))
        following = _next_url(result.header("link"), api.base)
        result = await _get(session, api, following, what) if following else None
    raise DiscoveryError(f"GitHub API: {what} has more than {MAX_PAGES} pages")


def _next_url(header: str | None, base: str) -> str | None:
    """The ``rel="next"`` URL of a GitHub Link header; one on another origin is refused (it would get our token)."""
    for part in (header or "").split(","):
        url, _, params = part.partition(";")
        if any(p in params.replace(" ", "") for p in _LINK_NEXT_PARTS):
            url = url.strip().removeprefix("<").removesuffix(">")
            if _origin(url) != _origin(base):
                raise DiscoveryError(f"GitHub API: next page on another origin ({_origin(url)}) refused")
            return url
    return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


async def _get(session: net.Session, api: _Api, url: str, what: str, *, missing_ok: bool = False) -> net.FetchResult:
    try:
        result = await session.fetch(url, headers=list(api.headers), timeout_s=api.remaining())
    except net.NetError as exc:
        raise DiscoveryError(f"GitHub API: {what}: {exc.message}") from None
    if result.status == 200 or (missing_ok and result.status == 404):
        if result.truncated:
            raise DiscoveryError(f"GitHub API: {what}: answer larger than {LIST_BODY_LIMIT // 1048576} MiB")
        return result
    hint = " (the source's password must be a GitHub token with read:packages)" if result.status in (401, 403) else ""
    raise DiscoveryError(f"GitHub API: {what}: HTTP {result.status}{_message(result.body)}{hint}")


def _message(body: bytes) -> str:
    """`` Bad credentials`` from GitHub's ``{"message": …}`` error body, or nothing."""
    try:
        message = json.loads(body[:65536]).get("message")
    except (ValueError, AttributeError):
        return ""
    return f" {message[:120]}" if isinstance(message, str) else ""


def _json_list(result: net.FetchResult, what: str) -> list[dict[str, object]]:
    try:
        data = json.loads(result.body)
    except ValueError:
        raise DiscoveryError(f"GitHub API: {what}: the answer is not JSON") from None
    if not isinstance(data, list):
        raise DiscoveryError(f"GitHub API: {what}: the answer is not a JSON list")
    return [item for item in data if isinstance(item, dict)]
