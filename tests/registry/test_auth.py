"""The WWW-Authenticate parser, the token cache and the digest checks, without a server."""

from __future__ import annotations

import hashlib

import pytest

from kairos import net
from kairos.probes.image import select_platforms
from kairos.registry.auth import Challenge, TokenCache, choose, identity, parse_www_authenticate
from kairos.registry.client import Descriptor, RegistryError, _status_error, _verify_digest, parse_manifest


def test_it_parses_a_registry_bearer_challenge() -> None:
    header = 'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'
    assert parse_www_authenticate(header) == [
        Challenge(
            "bearer",
            {"realm": "https://auth.example/token", "service": "registry.example", "scope": "repository:a/b:pull"},
        )
    ]


def test_it_parses_several_challenges_with_commas_and_escapes_in_quotes() -> None:
    header = (
        'NEGOTIATE abc+/==, bearer  REALM="https://a/t?x=1,2" , Service=reg,'
        'scope="repository:a:pull,push" ,Basic realm="say \\"hi\\", ok"'
    )
    challenges = parse_www_authenticate(header)
    assert [c.scheme for c in challenges] == ["negotiate", "bearer", "basic"]
    assert challenges[0].params == {"token68": "abc+/=="}
    assert challenges[1].params == {"realm": "https://a/t?x=1,2", "service": "reg", "scope": "repository:a:pull,push"}
    assert challenges[2].params == {"realm": 'say "hi", ok'}
    assert choose(challenges) is challenges[1]


def test_it_joins_several_header_values_and_survives_garbage() -> None:
    challenges = parse_www_authenticate(['Basic realm="r"', '  , Bearer realm="x" "stray" ,'])
    assert [c.scheme for c in challenges][:2] == ["basic", "bearer"]  # the stray word is a scheme nobody uses
    assert choose(challenges) == Challenge("bearer", {"realm": "x"})
    assert parse_www_authenticate("") == [] and choose([Challenge("digest")]) is None


def test_a_token_is_cached_until_shortly_before_it_expires() -> None:
    now = [1000.0]
    cache = TokenCache(clock=lambda: now[0])
    cache.put("reg", "repository:a:pull", "anonymous", "t1", 300)
    cache.put("reg", "repository:b:pull", "anonymous", "t2", None)  # 60 s by default
    now[0] += 269
    assert cache.get("reg", "repository:a:pull", "anonymous") == "t1"
    assert cache.get("reg", "repository:b:pull", "anonymous") is None  # 60 s minus a 6 s margin
    now[0] += 2
    assert cache.get("reg", "repository:a:pull", "anonymous") is None  # 300 s minus a 30 s margin


def test_tokens_are_kept_apart_per_registry_scope_and_identity() -> None:
    cache = TokenCache(clock=lambda: 0.0)
    alice, bob = identity(("alice", "pw")), identity(("bob", "pw"))
    assert alice != bob and "pw" not in alice and identity(None) == "anonymous"
    cache.put("reg", "s", alice, "ta", 100)
    assert cache.get("reg", "s", bob) is None and cache.get("other", "s", alice) is None
    assert cache.get("reg", "s2", alice) is None and cache.get("reg", "s", alice) == "ta"
    cache.forget("reg", "s", alice)
    assert cache.get("reg", "s", alice) is None


def test_the_cache_stays_bounded() -> None:
    cache = TokenCache(clock=lambda: 0.0, max_entries=3)
    for i in range(10):
        cache.put("reg", f"s{i}", "anonymous", f"t{i}", 100)
    assert cache.get("reg", "s9", "anonymous") == "t9" and cache.get("reg", "s0", "anonymous") is None


def _result(body: bytes, claimed: str | None) -> net.FetchResult:
    headers = [("docker-content-digest", claimed)] if claimed else []
    return net.FetchResult("http://r/v2/a/manifests/x", 200, "OK", headers, body, False)


def test_the_received_bytes_are_checked_against_both_digests() -> None:
    body = b'{"schemaVersion":2}'
    good = "sha256:" + hashlib.sha256(body).hexdigest()
    other = "sha256:" + "0" * 64
    assert _verify_digest(_result(body, good), None) == good
    assert _verify_digest(_result(body, None), good) == good
    for claimed, expected in ((other, None), (good, other), (None, other)):
        with pytest.raises(RegistryError) as info:
            _verify_digest(_result(body, claimed), expected)
        assert info.value.code == "digest_mismatch"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "manifest_invalid"),
        (b"[]", "manifest_invalid"),
        (b'{"schemaVersion":2,"layers":[]}', "manifest_invalid"),
        (b'{"schemaVersion":1,"fsLayers":[]}', "manifest_unsupported"),
    ],
)
def test_corrupt_or_legacy_manifests_are_refused(body: bytes, code: str) -> None:
    with pytest.raises(RegistryError) as info:
        parse_manifest(body, "sha256:x", "")
    assert info.value.code == code


def test_platform_selection_skips_attestations_and_falls_back_to_the_first() -> None:
    arm = Descriptor("sha256:1", 1, platform="linux/arm64/v8")
    att = Descriptor("sha256:2", 1, platform="unknown/unknown")
    ppc = Descriptor("sha256:3", 1, platform="linux/ppc64le")
    assert select_platforms((att, arm, ppc), None, every=False) == [arm]
    assert select_platforms((att, arm, ppc), None, every=True) == [arm, ppc]
    assert select_platforms((arm,), "linux/arm64/v8", every=False) == [arm]
    with pytest.raises(RegistryError) as info:
        select_platforms((arm,), "linux/arm64/v7", every=False)
    assert info.value.code == "platform_missing"


@pytest.mark.parametrize(
    ("status", "manifest_code", "blob_code"),
    [
        (401, "registry_unauthorized", "blob_unreachable"),
        (403, "registry_unauthorized", "blob_unreachable"),
        (404, "manifest_unknown", "blob_unreachable"),
        (429, "rate_limited", "rate_limited"),
        (500, "registry_error", "registry_error"),
        (503, "registry_error", "registry_error"),
        (400, "registry_error", "blob_unreachable"),
    ],
)
def test_statuses_map_to_stable_codes(status: int, manifest_code: str, blob_code: str) -> None:
    body = b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
    result = net.FetchResult("http://r/v2/a/manifests/x", status, "", [], body, False)
    manifest = _status_error(result, "manifest a:x", missing="manifest_unknown")
    blob = _status_error(result, "blob sha256:1", missing="blob_unreachable")
    assert (manifest.code, blob.code, manifest.http_status) == (manifest_code, blob_code, status)
    assert manifest.message == f"manifest a:x: HTTP {status} TOOMANYREQUESTS"
