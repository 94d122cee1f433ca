"""Listing a real registry: catalog pagination, recursion, tag filters; and the pure planning rules."""

from __future__ import annotations

import pytest

from kairos.registry.auth import TokenCache, identity
from kairos.registry.discovery import (
    DiscoveryError,
    Known,
    ListOptions,
    compile_tag_filter,
    in_scope,
    list_images,
    next_link,
    parse_prefix,
    plan,
)
from tests.servers.registry import Registry


def options(registry: Registry, prefix: str, **kw: object) -> ListOptions:
    return ListOptions(prefix=parse_prefix(f"{registry.host}/{prefix}"), insecure_http=True, **kw)  # type: ignore[arg-type]


async def test_it_follows_catalog_pages_of_two(discovery_registry: Registry) -> None:
    found = await list_images(options(discovery_registry, "team", recursive=True, page_size=2))
    h = discovery_registry.host
    assert found == sorted(
        [f"{h}/team/app:v1", f"{h}/team/app:v2", f"{h}/team/app:rc1", f"{h}/team/tool:v1", f"{h}/team/a/b/deep:v1"]
    )


async def test_it_lists_only_direct_children_unless_recursive(discovery_registry: Registry) -> None:
    flat = await list_images(options(discovery_registry, "team", parallelism=3))
    assert not any("/team/a/b/deep" in t for t in flat)
    assert any(t.endswith("/team/tool:v1") for t in flat)


async def test_it_filters_tags_by_glob_and_by_regex(discovery_registry: Registry) -> None:
    glob = await list_images(options(discovery_registry, "team", tag_filter="v*"))
    assert [t.rsplit("/", 1)[1] for t in glob] == ["app:v1", "app:v2", "tool:v1"]
    regex = await list_images(options(discovery_registry, "team", tag_filter=r"re:^rc[0-9]+$"))
    assert [t.rsplit("/", 1)[1] for t in regex] == ["app:rc1"]


def test_prefixes_and_filters_are_validated() -> None:
    assert str(parse_prefix("127.0.0.1:5000/team/")) == "127.0.0.1:5000/team"
    assert parse_prefix("127.0.0.1:5000").path == ""
    with pytest.raises(ValueError, match="lower case"):
        parse_prefix("127.0.0.1:5000/Team")
    with pytest.raises(ValueError, match="regular expression"):
        compile_tag_filter("re:(")


def test_scope_and_link_parsing() -> None:
    prefix = parse_prefix("h:1/team")
    assert in_scope("team/app", prefix, False) and not in_scope("team/a/b", prefix, False)
    assert in_scope("team/a/b", prefix, True) and not in_scope("teamx/app", prefix, True)
    assert next_link('</v2/_catalog?last=b&n=2>; rel="next"') == "/v2/_catalog?last=b&n=2"
    assert next_link("<https://h/v2/_catalog?n=2&last=c>; rel=next") == "/v2/_catalog?n=2&last=c"
    assert next_link(None) is None


def test_planning_is_idempotent_and_never_duplicates_or_deletes() -> None:
    found = ["h:1/team/app:v1", "h:1/team/app:v2"]
    first = plan([], found, source_id=1)
    assert first.create == found
    existing = [Known(i + 1, t, 1, True, False) for i, t in enumerate(found)]
    again = plan(existing, found, source_id=1)
    assert (again.create, again.reactivate, again.deactivate, again.unchanged) == ([], [], [], 2)
    other_source = plan(existing, found, source_id=2)
    assert other_source.create == [] and other_source.deactivate == []
    gone = plan(existing, found[:1], source_id=1)
    assert [k.id for k in gone.deactivate] == [2]
    marked = [existing[0], Known(2, found[1], 1, False, True)]
    assert plan(marked, found[:1], source_id=1).deactivate == []
    assert [k.id for k in plan(marked, found, source_id=1).reactivate] == [2]


async def test_a_token_registry_lists_with_the_catalog_scope_and_credentials(
    discovery_token_registry: Registry,
) -> None:
    cache = TokenCache()
    opts = options(discovery_token_registry, "private", recursive=True, credential=("alice", "s3cret"))
    found = await list_images(opts, cache)
    h = discovery_token_registry.host
    assert found == [f"{h}/private/app:v1", f"{h}/private/x/y:v1"]
    ident = identity(("alice", "s3cret"))
    assert cache.get(h, "registry:catalog:*", ident) and cache.get(h, "repository:private/x/y:pull", ident)


async def test_anonymous_listing_of_a_token_registry_is_refused(discovery_token_registry: Registry) -> None:
    with pytest.raises(DiscoveryError, match="catalog: HTTP 401"):
        await list_images(options(discovery_token_registry, "private"), TokenCache())
