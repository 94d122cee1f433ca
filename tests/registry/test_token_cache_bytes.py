"""The registry token cache is bounded in bytes (instant checks may make it fetch many tokens, each up to
256 KB): least recently used entries go first, and a token over the per-token cap is used but not kept."""

from __future__ import annotations

from kairos.probes.base import Status
from kairos.registry.auth import CACHE_MAX_BYTES, TokenCache
from tests.registry.conftest import TokenSetup
from tests.registry.test_image_probe import ALICE, check, verdict


def test_the_cache_never_holds_more_bytes_than_its_bound() -> None:
    cache = TokenCache(clock=lambda: 0.0, max_bytes=1_000_000, max_token_bytes=200_000)
    for i in range(50):
        cache.put("reg", f"repository:r{i}:pull", "anonymous", "x" * 190_000, 300)
        assert cache.bytes_used <= 1_000_000
    assert cache.entries == 5 and cache.get("reg", "repository:r49:pull", "anonymous") is not None
    assert cache.get("reg", "repository:r0:pull", "anonymous") is None


def test_the_default_bound_holds_against_many_maximal_tokens() -> None:
    cache = TokenCache(clock=lambda: 0.0)
    for i in range(200):
        cache.put("reg", f"repository:r{i}:pull", f"id{i}", "t" * (256 * 1024), 300)
        cache.put("reg", f"repository:s{i}:pull", f"id{i}", "t" * (60 * 1024), 300)
    assert 0 < cache.bytes_used <= CACHE_MAX_BYTES


def test_a_token_over_the_per_token_cap_is_not_kept() -> None:
    cache = TokenCache(clock=lambda: 0.0, max_token_bytes=1000)
    cache.put("reg", "s", "anonymous", "t" * 1001, 300)
    assert cache.get("reg", "s", "anonymous") is None and cache.bytes_used == 0


def test_the_least_recently_used_token_goes_first() -> None:
    cache = TokenCache(clock=lambda: 0.0, max_bytes=3 * 1010)
    for name in ("a", "b", "c"):
        cache.put("reg", name, "i", "t" * 1000, 300)
    assert cache.get("reg", "a", "i") is not None  # "a" is now the most recently used
    cache.put("reg", "d", "i", "t" * 1000, 300)
    assert cache.get("reg", "b", "i") is None and cache.get("reg", "a", "i") is not None
    cache.forget("reg", "a", "i")
    assert cache.bytes_used == 2 * (1000 + len("reg") + 1 + 1)


async def test_checks_against_a_real_token_registry_stay_within_the_byte_bound(token_setup: TokenSetup) -> None:
    host = token_setup.registry.host
    probe_cache = TokenCache()
    assert verdict(await check(f"{host}/public/hello:v1", cache=probe_cache)) == (Status.AVAILABLE, None)
    one_token = probe_cache.bytes_used
    cache = TokenCache(max_bytes=one_token * 3 // 2)  # room for one token, not two
    for target, credential in [
        (f"{host}/public/hello:v1", None),
        (f"{host}/private/x/y:v1", ALICE),
        (f"{host}/public/hello:v1", ALICE),
    ]:
        result = await check(target, credential=credential, cache=cache)
        assert verdict(result) == (Status.AVAILABLE, None), result.message
        assert 0 < cache.bytes_used <= cache.max_bytes and cache.entries == 1
