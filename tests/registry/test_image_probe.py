"""The image probe against real registries (Debian's docker-registry), filled by skopeo."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from kairos import net
from kairos.probes.base import Credential, Kind, ProbeContext, ProbeResult, Status
from kairos.probes.image import ImageConfig
from kairos.probes.kinds import run_probe
from kairos.registry.auth import TokenCache
from kairos.registry.client import ACCEPT, DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST
from tests.registry.conftest import TokenSetup
from tests.registry.redirect_front import redirect_front
from tests.servers.registry import Registry

V1_DIGEST = "sha256:4bc4e08a19fd8307e830a229d2f1a0c11a8d305cec3de79912502c860b50c5f1"
ALICE = Credential("alice", "s3cret")


async def check(
    target: str,
    *,
    timeout: float = 10.0,
    credential: Credential | None = None,
    skip_tls: bool = False,
    cache: TokenCache | None = None,
    **options: Any,
) -> ProbeResult:
    options.setdefault("insecureHttp", True)
    ctx = ProbeContext(
        target, timeout, skip_tls=skip_tls, credential=credential, extra={"token_cache": cache or TokenCache()}
    )
    return await run_probe(Kind.DOCKER, ImageConfig(**options), ctx)


def verdict(result: ProbeResult) -> tuple[Status, str | None]:
    return result.status, result.error_code


# --- no auth: formats, platforms, digests ---------------------------------------------------------------


async def test_it_marks_an_oci_image_available_after_probing_config_and_layer(registry: Registry) -> None:
    result = await check(f"{registry.host}/library/hello:v1")
    assert verdict(result) == (Status.AVAILABLE, None), result.message
    d = result.details
    assert (d["digest"], d["mediaType"], d["layerCount"], d["blobsChecked"]) == (V1_DIGEST, OCI_MANIFEST, 1, 2)
    assert d["requests"] == 3 and d["totalSize"] > 0 and d["token_ms"] == 0.0
    assert result.phases.total_ms is not None and result.phases.connect_ms is not None


async def test_it_selects_linux_amd64_from_an_oci_index_by_default(registry: Registry) -> None:
    result = await check(f"{registry.host}/team/a/b/app:multi")
    assert verdict(result) == (Status.AVAILABLE, None), result.message
    assert result.details["mediaType"] == OCI_INDEX and result.details["platforms"] == ["linux/amd64"]
    assert result.details["requests"] == 4  # index, child manifest, config, layer


async def test_a_platform_without_variant_matches_the_variant_entry(registry: Registry) -> None:
    result = await check(f"{registry.host}/team/a/b/app:multi", platform="linux/arm64")
    assert verdict(result) == (Status.AVAILABLE, None)
    assert result.details["platforms"] == ["linux/arm64/v8"]


async def test_all_platforms_checks_every_child_and_its_blobs(registry: Registry) -> None:
    result = await check(f"{registry.host}/team/a/b/app:multi", allPlatforms=True)
    assert verdict(result) == (Status.AVAILABLE, None)
    assert result.details["platforms"] == ["linux/amd64", "linux/arm64/v8"]
    assert (result.details["layerCount"], result.details["blobsChecked"]) == (2, 4)


async def test_it_reads_docker_v2_manifests_and_manifest_lists(registry: Registry) -> None:
    single = await check(f"{registry.host}/a/b/c:v2s2")
    assert verdict(single) == (Status.AVAILABLE, None) and single.details["mediaType"] == DOCKER_MANIFEST
    listed = await check(f"{registry.host}/a/b/c:list", platform="linux/arm64/v8")
    assert verdict(listed) == (Status.AVAILABLE, None) and listed.details["mediaType"] == DOCKER_LIST
    assert listed.details["platforms"] == ["linux/arm64/v8"]


async def test_a_configured_platform_the_index_lacks_has_its_own_code(registry: Registry) -> None:
    result = await check(f"{registry.host}/a/b/c:list", platform="linux/s390x")
    assert verdict(result) == (Status.NOT_AVAILABLE, "platform_missing")
    assert "linux/amd64" in result.message


async def test_a_platform_whose_manifest_was_deleted_is_missing(registry: Registry) -> None:
    index = await check(f"{registry.host}/broken/platform:multi", platform="linux/arm64")
    registry.delete_manifest("broken/platform", index.details["platformDigests"]["linux/arm64/v8"])
    result = await check(f"{registry.host}/broken/platform:multi", platform="linux/arm64")
    assert verdict(result) == (Status.NOT_AVAILABLE, "platform_missing") and result.http_status == 404
    assert verdict(await check(f"{registry.host}/broken/platform:multi")) == (Status.AVAILABLE, None)


async def test_digest_references_are_fetched_by_digest_and_verified(registry: Registry) -> None:
    for target in (f"{registry.host}/library/hello@{V1_DIGEST}", f"{registry.host}/library/hello:v1@{V1_DIGEST}"):
        result = await check(target)
        assert verdict(result) == (Status.AVAILABLE, None) and result.details["digest"] == V1_DIGEST
    absent = await check(f"{registry.host}/library/hello@sha256:{'0' * 64}")
    assert verdict(absent) == (Status.NOT_AVAILABLE, "manifest_unknown")


async def test_a_missing_tag_or_repository_is_manifest_unknown(registry: Registry) -> None:
    for target in (f"{registry.host}/library/hello:nope", f"{registry.host}/no/such/repo:v1"):
        result = await check(target)
        assert verdict(result) == (Status.NOT_AVAILABLE, "manifest_unknown") and result.http_status == 404
        assert "MANIFEST_UNKNOWN" in result.message


async def test_a_deleted_tag_is_manifest_unknown(registry: Registry) -> None:
    registry.delete_manifest("gone/tag", V1_DIGEST)
    assert verdict(await check(f"{registry.host}/gone/tag:v1")) == (Status.NOT_AVAILABLE, "manifest_unknown")


async def test_it_marks_image_unavailable_when_a_layer_is_missing(registry: Registry) -> None:
    before = await check(f"{registry.host}/broken/layer:v1")
    url = f"{registry.url}/v2/broken/layer/manifests/v1"
    raw = await net.fetch(url, headers={"Accept": ACCEPT}, timeout_s=5, max_body_bytes=65536, user_agent="test")
    manifest = json.loads(raw.body)
    registry.unlink_layer("broken/layer", manifest["layers"][0]["digest"])
    result = await check(f"{registry.host}/broken/layer:v1")
    assert verdict(before) == (Status.AVAILABLE, None)
    assert verdict(result) == (Status.NOT_AVAILABLE, "blob_unreachable") and result.http_status == 404
    assert result.details["digest"] == V1_DIGEST  # what the check saw before failing stays visible
    only_manifest = await check(f"{registry.host}/broken/layer:v1", manifestOnly=True)
    assert verdict(only_manifest) == (Status.AVAILABLE, None) and only_manifest.details["requests"] == 1
    assert verdict(await check(f"{registry.host}/library/hello:v1")) == (Status.AVAILABLE, None)  # same blob


async def test_a_registry_answering_500_is_registry_error(registry: Registry) -> None:
    registry.break_tag("broken/status", "v1")
    result = await check(f"{registry.host}/broken/status:v1")
    assert verdict(result) == (Status.NOT_AVAILABLE, "registry_error") and result.http_status == 500


async def test_a_registry_that_never_answers_times_out(silent_port: int) -> None:
    result = await check(f"127.0.0.1:{silent_port}/app:v1", timeout=0.5)
    assert verdict(result) == (Status.NOT_AVAILABLE, "timeout")


async def test_dropping_one_accepted_type_gives_a_false_404(registry: Registry) -> None:
    assert all(t in ACCEPT for t in (OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))
    url = f"{registry.url}/v2/library/hello/manifests/v1"
    kwargs: dict[str, Any] = {"timeout_s": 5, "max_body_bytes": 65536, "user_agent": "test"}
    narrow = await net.fetch(url, headers={"Accept": DOCKER_MANIFEST}, **kwargs)
    full = await net.fetch(url, headers={"Accept": ACCEPT}, **kwargs)
    assert (narrow.status, full.status) == (404, 200)


async def test_an_invalid_reference_is_unknown_not_down() -> None:
    result = await check("127.0.0.1:5000/Upper/Case:v1")
    assert verdict(result) == (Status.UNKNOWN, "invalid_target") and "lower case" in result.message


# --- auth ----------------------------------------------------------------------------------------------


async def test_htpasswd_basic_auth_sends_the_credentials(basic_registry: Registry) -> None:
    target, cache = f"{basic_registry.host}/private/app:v1", TokenCache()
    first = await check(target, credential=ALICE, cache=cache)
    assert verdict(first) == (Status.AVAILABLE, None) and first.details["requests"] == 4  # one 401 first
    again = await check(target, credential=ALICE, cache=cache)
    assert verdict(again) == (Status.AVAILABLE, None) and again.details["requests"] == 3  # Basic sent up front
    anonymous = await check(target)
    wrong = await check(target, credential=Credential("alice", "nope"))
    assert verdict(anonymous) == verdict(wrong) == (Status.NOT_AVAILABLE, "registry_unauthorized")
    assert wrong.http_status == 401


async def test_an_anonymous_token_pulls_a_public_image(token_setup: TokenSetup) -> None:
    result = await check(f"{token_setup.registry.host}/public/hello:v1")
    assert verdict(result) == (Status.AVAILABLE, None), result.message
    assert result.details["requests"] == 5  # 401, token, manifest, config, layer
    assert result.details["token_ms"] > 0


async def test_a_private_image_needs_credentials_sent_to_the_realm(token_setup: TokenSetup) -> None:
    target = f"{token_setup.registry.host}/private/x/y:v1"
    assert verdict(await check(target, credential=ALICE)) == (Status.AVAILABLE, None)
    anonymous = await check(target)
    assert verdict(anonymous) == (Status.NOT_AVAILABLE, "registry_unauthorized") and anonymous.http_status == 401
    wrong = await check(target, credential=Credential("alice", "wrong"))
    assert verdict(wrong) == (Status.NOT_AVAILABLE, "registry_unauthorized") and "refused" in wrong.message


async def test_a_cached_token_saves_the_token_request(token_setup: TokenSetup) -> None:
    target, cache = f"{token_setup.registry.host}/private/x/y:v1", TokenCache()
    await check(target, credential=ALICE, cache=cache)
    tokens_before = _token_count(token_setup)
    again = await check(target, credential=ALICE, cache=cache)
    steady = await check(target, credential=ALICE, cache=cache, manifestOnly=True)
    assert verdict(again) == verdict(steady) == (Status.AVAILABLE, None)
    assert (again.details["requests"], steady.details["requests"]) == (3, 1)
    assert _token_count(token_setup) == tokens_before
    other = await check(target, cache=cache)  # another identity never reuses alice's token
    assert verdict(other) == (Status.NOT_AVAILABLE, "registry_unauthorized")


async def test_an_access_token_field_is_accepted(access_token_registry: Registry) -> None:
    result = await check(f"{access_token_registry.host}/public/hello:v1")
    assert verdict(result) == (Status.AVAILABLE, None), result.message


async def test_a_token_server_that_is_down_is_token_failed(
    refused_realm_registry: Registry, silent_realm_registry: Registry
) -> None:
    refused = await check(f"{refused_realm_registry.host}/public/hello:v1")
    assert verdict(refused) == (Status.NOT_AVAILABLE, "token_failed") and "refused" in refused.message
    silent = await check(f"{silent_realm_registry.host}/public/hello:v1", timeout=0.7)
    assert verdict(silent) == (Status.NOT_AVAILABLE, "token_failed")


# --- TLS -----------------------------------------------------------------------------------------------


async def test_a_self_signed_registry_is_tls_invalid_unless_skip_tls(tls_registry: Registry) -> None:
    target = f"{tls_registry.host}/library/hello:v1"
    refused = await check(target, insecureHttp=False)
    assert verdict(refused) == (Status.NOT_AVAILABLE, "tls_invalid") and "self-signed" in refused.message
    skipped = await check(target, insecureHttp=False, skip_tls=True)
    assert verdict(skipped) == (Status.AVAILABLE, None) and skipped.phases.tls_ms is not None


def _token_count(setup: TokenSetup) -> int:
    with urllib.request.urlopen(setup.token_url + "/count", timeout=5) as resp:
        return int(json.loads(resp.read())["count"])


async def test_blob_redirects_are_followed_without_our_credentials(registry: Registry) -> None:
    with redirect_front(registry.url) as front:
        result = await check(f"{front.host}/library/hello:v1", credential=ALICE)
    assert verdict(result) == (Status.AVAILABLE, None), result.message
    assert front.storage_authorizations == [None, None]  # config and layer, both without Authorization
    assert result.details["requests"] == 6  # 401, manifest, 2 x (blob 307 + storage 206)
