"""Listing ghcr.io through a loopback server that speaks the GitHub packages API (real socket, real HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from kairos.registry.discovery import DiscoveryError, ListOptions, list_images, parse_prefix
from kairos.registry.listing_github import API_ENV
from tests.servers.github_packages import TOKEN, GithubApi, github_packages_api


@pytest.fixture
def api() -> Iterator[GithubApi]:
    with github_packages_api() as server:
        yield server


def options(api: GithubApi, prefix: str, token: str | None = TOKEN, **kw: object) -> ListOptions:
    credential = ("someone", token) if token is not None else None
    return ListOptions(prefix=parse_prefix(prefix), credential=credential, github_api=api.url, **kw)  # type: ignore[arg-type]


def short(found: list[str]) -> list[str]:
    return [t.removeprefix("ghcr.io/") for t in found]


async def test_it_lists_an_organisation_page_by_page_with_nested_names(api: GithubApi) -> None:
    found = await list_images(options(api, "ghcr.io/acme", recursive=True, page_size=2, parallelism=3))
    lib = [f"acme/lib:1.{i}" for i in range(5)]
    app = ["acme/app:latest", "acme/app:rc1", "acme/app:v1", "acme/app:v2"]
    assert short(found) == sorted([*app, *lib, "acme/team/a/deep:v1", "acme/team/tool:v1"])
    paths = [p for p, _ in api.requests]
    assert any(p.startswith("/orgs/acme/packages?") and "page=2" in p for p in paths)  # Link followed
    assert "/orgs/acme/packages/container/team%2Ftool/versions?per_page=2&page=1" in paths
    assert sum("/lib/versions" in p for p in paths) == 3  # five versions, two per page
    assert {a for _, a in api.requests} == {f"Bearer {TOKEN}"}


async def test_recursion_applies_to_the_package_path_below_the_prefix(api: GithubApi) -> None:
    flat = short(await list_images(options(api, "ghcr.io/acme")))
    assert "acme/app:v1" in flat and not any(t.startswith("acme/team/") for t in flat)
    team = short(await list_images(options(api, "ghcr.io/acme/team")))
    assert team == ["acme/team/tool:v1"]
    deep = short(await list_images(options(api, "ghcr.io/acme/team", recursive=True)))
    assert deep == ["acme/team/a/deep:v1", "acme/team/tool:v1"]


async def test_tag_filters_apply(api: GithubApi) -> None:
    assert short(await list_images(options(api, "ghcr.io/acme", tag_filter="v*"))) == ["acme/app:v1", "acme/app:v2"]
    regex = await list_images(options(api, "ghcr.io/acme", tag_filter=r"re:^1\.[34]$"))
    assert short(regex) == ["acme/lib:1.3", "acme/lib:1.4"]


async def test_a_user_is_listed_when_the_organisation_route_answers_404(api: GithubApi) -> None:
    found = await list_images(options(api, "ghcr.io/alice", recursive=True))
    assert short(found) == ["alice/solo:v1", "alice/tools/cli:v3"]
    paths = [p for p, _ in api.requests]
    assert paths[0].startswith("/orgs/alice/packages?") and paths[1].startswith("/users/alice/packages?")
    assert "/users/alice/packages/container/tools%2Fcli/versions?per_page=100&page=1" in paths


async def test_an_unknown_owner_a_wrong_token_and_no_token_are_clear_errors(api: GithubApi) -> None:
    with pytest.raises(DiscoveryError, match="no organisation or user named nobody"):
        await list_images(options(api, "ghcr.io/nobody"))
    with pytest.raises(DiscoveryError, match=r"HTTP 401 Bad credentials .*GitHub token"):
        await list_images(options(api, "ghcr.io/acme", token="wrong"))
    with pytest.raises(DiscoveryError, match="HTTP 401"):
        await list_images(options(api, "ghcr.io/acme", token=None))
    with pytest.raises(DiscoveryError, match="needs an owner"):
        await list_images(options(api, "ghcr.io"))


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ((502, b'{"message": "Server Error"}', {}), "versions of acme/app: HTTP 502 Server Error"),
        ((200, b"<html>oops</html>", {}), "versions of acme/app: the answer is not JSON"),
        ((200, b'{"not": "a list"}', {}), "not a JSON list"),
    ],
)
async def test_a_failing_page_fails_the_whole_listing(
    api: GithubApi, fault: tuple[int, bytes, dict[str, str]], message: str
) -> None:
    api.faults["/orgs/acme/packages/container/app/"] = fault
    with pytest.raises(DiscoveryError, match=message):
        await list_images(options(api, "ghcr.io/acme", parallelism=2))


async def test_the_token_never_follows_a_next_link_to_another_origin(api: GithubApi) -> None:
    body = json.dumps([{"name": "app"}]).encode()
    api.faults["/orgs/acme/packages?"] = (200, body, {"Link": '<http://127.0.0.2:9/steal?page=2>; rel="next"'})
    with pytest.raises(DiscoveryError, match="another origin"):
        await list_images(options(api, "ghcr.io/acme"))
    assert len(api.requests) == 1


async def test_the_api_url_comes_from_the_environment_by_default(
    api: GithubApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_ENV, api.url + "/")
    found = await list_images(ListOptions(prefix=parse_prefix("ghcr.io/alice"), credential=("someone", TOKEN)))
    assert short(found) == ["alice/solo:v1"]
