"""Artifactory prefixes (against a loopback server speaking JFrog's Docker REST API) and latest-tag-only
(versions, newest pushed, mixed) against it, the real registry and the GitHub packages API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from kairos.registry.discovery import DiscoveryError, ListOptions, list_images, parse_prefix
from kairos.registry.listing_latest import newest_by_version, parse_created
from tests.servers.artifactory import PASSWORD, USER, Artifactory, artifactory
from tests.servers.github_packages import TOKEN, github_packages_api
from tests.servers.registry import Registry


@pytest.fixture
def art() -> Iterator[Artifactory]:
    with artifactory() as server:
        yield server


def art_options(art: Artifactory, path: str, **kw: object) -> ListOptions:
    prefix = parse_prefix(f"{art.host}/artifactory/{path}")
    return ListOptions(prefix=prefix, credential=(USER, PASSWORD), insecure_http=True, **kw)  # type: ignore[arg-type]


def short(art: Artifactory, found: list[str]) -> list[str]:
    return [f.removeprefix(f"{art.host}/") for f in found]


async def test_an_artifactory_repository_is_listed_through_the_rest_api_into_pullable_references(
    art: Artifactory,
) -> None:
    found = await list_images(art_options(art, "docker-local", recursive=True, page_size=2, parallelism=2))
    assert found[0] == f"{art.host}/docker-local/app:1.10.0"  # host/<repoKey>/<image>:<tag>, as docker pulls it
    assert short(art, found) == sorted(
        [f"docker-local/app:{t}" for t in ("1.2.0", "1.10.0", "latest", "2.0.0-rc.1")]
        + [f"docker-local/team/web:{t}" for t in ("main", "feature-x", "abc123", "broken")]
        + ["docker-local/team/deep/tool:v1", "docker-local/rc-only:3.0.0-beta.2", "docker-local/rc-only:3.0.0-rc.1"]
    )
    catalog = [p for p in art.requests if "_catalog" in p]
    assert catalog[0] == "/artifactory/api/docker/docker-local/v2/_catalog?n=2"
    assert "/artifactory/api/docker/docker-local/v2/_catalog?n=2&last=rc-only" in catalog  # paged with last
    assert "/artifactory/api/docker/docker-local/v2/team/web/tags/list" in art.requests
    assert not any(p.startswith("/v2/") for p in art.requests)  # listing needs no manifest


async def test_recursion_and_sub_paths_apply_below_the_repository_key(art: Artifactory) -> None:
    flat = short(art, await list_images(art_options(art, "docker-local")))
    assert {f.rpartition(":")[0] for f in flat} == {"docker-local/app", "docker-local/rc-only"}
    team = short(art, await list_images(art_options(art, "docker-local/team", recursive=True, tag_filter="v*")))
    assert team == ["docker-local/team/deep/tool:v1"]


async def test_artifactory_refusals_are_clear_errors(art: Artifactory) -> None:
    anonymous = ListOptions(prefix=parse_prefix(f"{art.host}/artifactory/docker-local"), insecure_http=True)
    with pytest.raises(DiscoveryError, match="catalog of Artifactory repository docker-local: HTTP 401"):
        await list_images(anonymous)
    with pytest.raises(DiscoveryError, match="catalog of Artifactory repository nope: HTTP 404"):
        await list_images(art_options(art, "nope"))


async def test_latest_only_orders_versions_then_dates_then_names(art: Artifactory) -> None:
    found = await list_images(art_options(art, "docker-local", recursive=True, latest_only=True))
    assert short(art, found) == [
        "docker-local/app:1.10.0",  # versions: 1.10.0 > 1.2.0; "latest" is not one; a final beats 2.0.0-rc.1
        "docker-local/rc-only:3.0.0-rc.1",  # only pre-releases: the highest of them
        "docker-local/team/deep/tool:v1",
        "docker-local/team/web:feature-x",  # no versions: the newest image (07:30Z on 1 March); "broken" has no date
    ]
    manifests = [p for p in art.requests if "/manifests/" in p]
    assert all(p.startswith("/v2/docker-local/team/web/manifests/") for p in manifests)  # dates only when needed
    assert len([p for p in manifests if "sha256:" in p]) == 1  # the index tag (main) costs one more request


async def test_the_tag_filter_applies_before_latest_only(art: Artifactory) -> None:
    found = await list_images(art_options(art, "docker-local", tag_filter="1.*", latest_only=True))
    assert short(art, found) == ["docker-local/app:1.10.0"]


async def test_latest_only_on_a_real_registry_with_version_and_other_tags(discovery_registry: Registry) -> None:
    options = ListOptions(prefix=parse_prefix(f"{discovery_registry.host}/team"), insecure_http=True, latest_only=True)
    found = [f.rsplit("/", 2)[-2:] for f in await list_images(options)]
    assert found == [["team", "app:v2"], ["team", "tool:v1"]]  # v1, v2 and rc1 ("rc1" is no version)


async def test_latest_only_through_the_github_packages_api() -> None:
    with github_packages_api() as api:
        options = ListOptions(
            prefix=parse_prefix("ghcr.io/acme"), credential=("x", TOKEN), github_api=api.url, recursive=True,
            latest_only=True,
        )  # fmt: skip
        found = [f.removeprefix("ghcr.io/") for f in await list_images(options)]
    assert found == ["acme/app:v2", "acme/lib:1.4", "acme/team/a/deep:v1", "acme/team/tool:v1"]


@pytest.mark.parametrize(
    ("tags", "newest"),
    [
        (["1.2.3", "1.10.0", "1.9.9"], "1.10.0"),
        (["v1.2", "v1.10", "latest", "main"], "v1.10"),
        (["2.0.0-rc.1", "1.9.0"], "1.9.0"),
        (["2.0.0-rc.1", "2.0.0-beta.3"], "2.0.0-rc.1"),
        (["2024.01.15", "2023.12.31"], "2024.01.15"),
        (["latest", "main", "3.12-slim"], None),
        ([], None),
    ],
)
def test_version_order(tags: list[str], newest: str | None) -> None:
    assert newest_by_version(tags) == newest


def test_created_times_are_read_with_nanoseconds_and_offsets() -> None:
    assert parse_created("2026-01-02T10:00:00.123456789Z") == datetime(2026, 1, 2, 10, 0, 0, 123456, UTC)
    assert parse_created("2026-03-01T08:30:00.5+01:00") == datetime(2026, 3, 1, 7, 30, 0, 500000, UTC)
    assert parse_created("yesterday") is None and parse_created(None) is None
