"""Image reference parsing: normalisation, refusals that name the wrong part, and a round-trip property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kairos.registry.reference import DOCKER_HUB, Reference, parse, validate_target

HEX = "a" * 64


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nginx", Reference(DOCKER_HUB, "library/nginx", "latest")),
        ("docker.io/nginx", Reference(DOCKER_HUB, "library/nginx", "latest")),
        ("index.docker.io/library/nginx:1.25", Reference(DOCKER_HUB, "library/nginx", "1.25")),
        ("user/app:1.2", Reference(DOCKER_HUB, "user/app", "1.2")),
        ("ghcr.io/org/team/app:tag", Reference("ghcr.io", "org/team/app", "tag")),
        ("localhost:5000/a/b/c", Reference("localhost:5000", "a/b/c", "latest")),
        ("localhost/app", Reference("localhost", "app", "latest")),
        (f"host:5000/app@sha256:{HEX}", Reference("host:5000", "app", None, f"sha256:{HEX}")),
        (f"app:tag@sha256:{HEX}", Reference(DOCKER_HUB, "library/app", "tag", f"sha256:{HEX}")),
        ("Registry.Example.COM/a_b/c-d/e__f:V1.0_x", Reference("registry.example.com", "a_b/c-d/e__f", "V1.0_x")),
        ("[::1]:5000/app:v1", Reference("[::1]:5000", "app", "v1")),
    ],
)
def test_it_parses_and_normalises_references(text: str, expected: Reference) -> None:
    assert parse(text) == expected


def test_the_manifest_reference_prefers_the_digest() -> None:
    assert parse(f"app:tag@sha256:{HEX}").reference == f"sha256:{HEX}"
    assert parse("app").reference == "latest"
    assert str(parse("nginx")) == "registry-1.docker.io/library/nginx:latest"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("", "empty"),
        ("two words", "whitespace"),
        ("MyUser/app", "lower case"),
        ("ghcr.io/Org/app", "lower case"),
        ("app:bad!", "tag 'bad!'"),
        ("app:bad/tag", "registry port 'bad'"),
        ("app:-lead", "tag '-lead'"),
        ("app:", "tag after ':' is empty"),
        ("app:a+b", "tag 'a+b'"),
        ("app@sha256:abc", "64"),
        (f"app@md5:{HEX}", "algorithm"),
        (f"app@sha256:{HEX.upper()}", "lower-case hex"),
        ("app@", "digest"),
        (f"@sha256:{HEX}", "before '@' is empty"),
        ("host:5000/", "empty"),
        ("a//b", "empty component"),
        ("a/b/", "empty component"),
        ("app_/x", "component 'app_'"),
        ("host:99999/app", "port"),
        ("bad_host.com/app", "host"),
        ("a" * 256, "longer"),
    ],
)
def test_it_refuses_invalid_references_naming_the_part(text: str, names: str) -> None:
    with pytest.raises(ValueError) as info:
        parse(text)
    assert names in str(info.value)


def test_validate_target_keeps_what_the_user_wrote() -> None:
    assert validate_target("  ghcr.io/acme/app:1.2 ") == "ghcr.io/acme/app:1.2"


_component = st.from_regex(r"\A[a-z0-9]{1,6}(?:(?:[._]|__|-{1,2})[a-z0-9]{1,6}){0,2}\Z")
_host = st.one_of(
    st.just("localhost"),
    st.from_regex(r"\A[a-z0-9]{1,8}(?:\.[a-z0-9]{1,8}){1,2}\Z").filter(lambda h: h not in {"docker.io"}),
)
_registry = st.tuples(_host, st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}"))).map("".join)
_tag = st.from_regex(r"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}\Z")
_digest = st.from_regex(r"\A[0-9a-f]{64}\Z").map(lambda h: f"sha256:{h}")


@st.composite
def references(draw: st.DrawFn) -> Reference:
    path = "/".join(draw(st.lists(_component, min_size=1, max_size=4)))
    tag = draw(st.one_of(st.none(), _tag))
    digest = draw(st.one_of(st.none(), _digest))
    return Reference(draw(_registry), path, tag if tag or digest else "latest", digest)


@given(references())
def test_valid_references_round_trip(ref: Reference) -> None:
    assert parse(str(ref)) == ref
    assert str(parse(str(ref))) == str(ref)
