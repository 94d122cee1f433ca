"""Repository discovery: list a registry prefix's images (``_catalog`` + ``tags/list``) and plan the changes.

Listing speaks the Distribution API through :class:`RegistryClient`, so it shares the token-auth and cache
machinery of the image probe (the catalog asks for the ``registry:catalog:*`` scope). Planning is a pure
function: it never deletes; an image:tag that left the registry is deactivated and marked gone, one that comes
back is reactivated. Artifactory repositories are listed through JFrog's REST API
(:mod:`kairos.registry.listing_artifactory`); ``latest_only`` keeps the newest tag of each repository
(:mod:`kairos.registry.listing_latest`). ghcr.io has no catalog and is listed through the GitHub packages API
(:mod:`kairos.registry.listing_github`); a registry that refuses the global catalog is asked for the catalog
of the prefix's project (:mod:`kairos.registry.listing_prefix`).
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from kairos import net
from kairos.registry.auth import TokenCache
from kairos.registry.client import RegistryClient, RegistryError
from kairos.registry.listing_artifactory import Artifactory, artifactory_of, next_by_last
from kairos.registry.listing_github import is_github, list_github
from kairos.registry.listing_latest import image_created, newest_tag
from kairos.registry.listing_options import (
    CATALOG_SCOPE,
    LIST_BODY_LIMIT,
    MAX_PAGES,
    PAGE_SIZE,
    DiscoveryError,
    ListOptions,
    Prefix,
    compile_tag_filter,
    in_scope,
    list_session,
    next_link,
    parse_prefix,
)
from kairos.registry.listing_prefix import full_names, project_catalog_path, project_of, refused
from kairos.registry.reference import Reference, parse

# The listing's vocabulary lives in listing_options; callers keep importing it from here.
__all__ = [
    "PAGE_SIZE",
    "DiscoveryError",
    "Known",
    "ListOptions",
    "Plan",
    "Prefix",
    "compile_tag_filter",
    "in_scope",
    "list_images",
    "next_link",
    "parse_prefix",
    "plan",
]


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where a registry's listing API lives and how its names become image names: the plain Distribution API
    at the root, or an Artifactory repository's REST API (:mod:`kairos.registry.listing_artifactory`)."""

    scope: Prefix  # what in_scope checks repository names against
    api_root: str = ""
    image_prefix: str = ""  # "<repoKey>/" for Artifactory
    artifactory: Artifactory | None = None


def _layout(options: ListOptions) -> _Layout:
    found = artifactory_of(options.prefix)
    if found is None:
        return _Layout(options.prefix)
    return _Layout(found.below, found.api_root, f"{found.repo_key}/", found)


async def list_images(options: ListOptions, cache: TokenCache | None = None) -> list[str]:
    """Every ``registry/repo:tag`` under the prefix that passes the tag filter (only the newest tag of each
    repository with ``latest_only``), sorted."""
    if is_github(options.prefix.registry):
        return await list_github(options)
    layout = _layout(options)
    deadline = time.monotonic() + options.timeout_s
    repositories = [
        r for r in await _catalog(options, layout, deadline, cache) if in_scope(r, layout.scope, options.recursive)
    ]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for repository in repositories:
        queue.put_nowait(repository)
    found: list[tuple[str, str]] = []
    errors: list[DiscoveryError] = []
    # One session per worker: a Session keeps one connection per origin and is not shared between tasks.
    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, min(options.parallelism, len(repositories)))):
            group.create_task(_tag_worker(options, layout, queue, found, errors, deadline, cache))
    if errors:
        raise errors[0]  # a partial listing must not deactivate what it missed
    return sorted({f"{options.prefix.registry}/{layout.image_prefix}{r}:{t}" for r, t in found})


def _client(
    options: ListOptions,
    session: net.Session,
    repository: str,
    deadline: float,
    cache: TokenCache | None,
    api_root: str = "",
) -> RegistryClient:
    scheme = "http" if options.insecure_http else "https"
    scope = CATALOG_SCOPE if repository == "_catalog" else None
    return RegistryClient(
        Reference(options.prefix.registry, repository),
        session,
        base_url=f"{scheme}://{options.prefix.registry}{api_root}",
        deadline=deadline,
        credential=options.credential,
        cache=cache,
        scope=scope,
    )


async def _catalog(options: ListOptions, layout: _Layout, deadline: float, cache: TokenCache | None) -> list[str]:
    async with list_session(options) as session:
        client = _client(options, session, "_catalog", deadline, cache, layout.api_root)
        if layout.artifactory is not None:
            what = f"catalog of Artifactory repository {layout.artifactory.repo_key}"
            return await _catalog_pages(client, f"/v2/_catalog?n={options.page_size}", what, options.page_size)
        try:
            return await _catalog_pages(client, f"/v2/_catalog?n={options.page_size}", "catalog")
        except _CatalogRefused as exc:
            project = project_of(options.prefix.path)
            if project is None:
                raise DiscoveryError(exc.message) from None
            first_refusal = exc.message
        # Harbor, GitLab and the like refuse the global catalog but may answer one scoped to the project.
        try:
            names = await _catalog_pages(
                client, project_catalog_path(project, options.page_size), f"catalog of {project}"
            )
        except _CatalogRefused as exc:
            raise DiscoveryError(f"{first_refusal}; {exc.message}") from None
        return full_names(project, names)


class _CatalogRefused(DiscoveryError):
    """The catalog answered 401, 403 or 404: another catalog route may still work."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def _catalog_pages(client: RegistryClient, path: str | None, what: str, by_last: int = 0) -> list[str]:
    """``by_last``: the page size, for Artifactory, which may page with ``last`` and no ``Link``."""
    repositories: list[str] = []
    for _ in range(MAX_PAGES):
        if path is None:
            return repositories
        result = await _fetch(client, path, what, refusal=True)
        names = _strings(_json(result, what).get("repositories"))
        if by_last and names and names[-1] in repositories:
            return repositories  # a server that ignores ``last`` repeats its page: nothing more to get
        repositories.extend(names)
        path = next_link(result.header("link")) or (next_by_last(path, names, by_last) if by_last else None)
    raise DiscoveryError(f"{what} has more than {MAX_PAGES} pages")


async def _tag_worker(
    options: ListOptions,
    layout: _Layout,
    queue: asyncio.Queue[str],
    found: list[tuple[str, str]],
    errors: list[DiscoveryError],
    deadline: float,
    cache: TokenCache | None,
) -> None:
    """Take repositories until the queue is empty or any worker failed (errors are collected, not raised:
    a TaskGroup would wrap them in an ExceptionGroup)."""
    accept = compile_tag_filter(options.tag_filter)
    async with list_session(options) as session:
        while not queue.empty() and not errors:
            repository = queue.get_nowait()
            client = _client(options, session, repository, deadline, cache, layout.api_root)
            try:
                tags = [t for t in await _tags(client, repository) if accept(t)]
            except DiscoveryError as exc:
                errors.append(exc)
                continue
            if options.latest_only:
                # Dates come from the image itself, pulled the way a check pulls it (host/v2/<image>/…).
                image = _client(options, session, layout.image_prefix + repository, deadline, cache)
                newest = await newest_tag(tags, functools.partial(image_created, image))
                tags = [newest] if newest is not None else []
            found.extend((repository, tag) for tag in tags)


async def _tags(client: RegistryClient, repository: str) -> list[str]:
    # tags/list ignores n on distribution 2.8 and answers everything at once; others page with Link.
    tags: list[str] = []
    path: str | None = f"/v2/{quote(repository, safe='/')}/tags/list"
    for _ in range(MAX_PAGES):
        if path is None:
            break
        result = await _fetch(client, path, f"tags of {repository}", missing_ok=True)
        if result.status == 404:
            return tags  # listed in the catalog but without tags (every tag deleted): nothing to monitor
        tags.extend(_strings(_json(result, f"tags of {repository}").get("tags")))
        path = next_link(result.header("link"))
    return tags


async def _fetch(
    client: RegistryClient, path: str, what: str, *, missing_ok: bool = False, refusal: bool = False
) -> net.FetchResult:
    """The answer when 200 (or 404 with ``missing_ok``); ``refusal`` raises :class:`_CatalogRefused` for
    401/403/404, including a token server that refuses the scope."""
    try:
        result = await client.get(path)
    except RegistryError as exc:
        if refusal and refused(exc.http_status):
            raise _CatalogRefused(f"{what}: {exc.message}") from None
        raise DiscoveryError(f"{what}: {exc.message}") from None
    if result.status == 200 or (missing_ok and result.status == 404):
        if result.truncated:
            raise DiscoveryError(f"{what}: answer larger than {LIST_BODY_LIMIT // 1048576} MiB")
        return result
    hint = " (credentials wrong or missing)" if result.status in (401, 403) else ""
    error = _CatalogRefused if refusal and refused(result.status) else DiscoveryError
    raise error(f"{what}: HTTP {result.status}{hint}")


def _json(result: net.FetchResult, what: str) -> dict[str, object]:
    try:
        data = json.loads(result.body)
    except ValueError:
        raise DiscoveryError(f"{what}: the registry did not answer with JSON") from None
    if not isinstance(data, dict):
        raise DiscoveryError(f"{what}: the registry answered JSON that is not an object")
    return data


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


# -- planning -----------------------------------------------------------------------------------------------


def target_key(target: str) -> str:
    """The normalised reference, so ``docker.io/nginx`` and ``nginx:latest`` are the same image."""
    try:
        return str(parse(target))
    except ValueError:
        return target.strip()


@dataclass(frozen=True, slots=True)
class Known:
    """An existing resource of the source's kind (DOCKER or HTTP) as planning sees it."""

    id: int
    target: str
    discovered_by: int | None
    enabled: bool
    gone: bool


@dataclass(slots=True)
class Plan:
    create: list[str] = field(default_factory=list)  # targets
    reactivate: list[Known] = field(default_factory=list)
    deactivate: list[Known] = field(default_factory=list)
    unchanged: int = 0


def plan(
    existing: Iterable[Known], found: Iterable[str], *, source_id: int, normalise: Callable[[str], str] = target_key
) -> Plan:
    """What a sync changes; applying it and planning again gives an empty plan (idempotent).

    Existing resources are matched by normalised target (``normalise``: image references by default, URLs for
    Kubernetes sources) whoever created them, so two sources (or a resource
    added by hand) never yield duplicates. Only the source's own resources are deactivated, never deleted."""
    known = list(existing)
    by_key: dict[str, Known] = {}
    for item in known:
        by_key.setdefault(normalise(item.target), item)
    wanted = {normalise(t): t for t in found}
    result = Plan()
    for key in sorted(wanted):
        match = by_key.get(key)
        if match is None:
            result.create.append(wanted[key])
        elif match.gone:
            result.reactivate.append(match)
        else:
            result.unchanged += 1
    for item in known:
        if item.discovered_by == source_id and not item.gone and normalise(item.target) not in wanted:
            result.deactivate.append(item)
    return result
