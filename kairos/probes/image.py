"""Container image probe: can this image be pulled right now?

It speaks the OCI Distribution API through :mod:`kairos.registry`: the manifest (tag or digest, with every
manifest media type accepted), the platform's manifest when the tag is an index, then the first byte of the
config and of every layer blob. No Docker daemon, no subprocess.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pydantic import Field

from kairos import net
from kairos.net.timing import Phases
from kairos.probes import certs
from kairos.probes.base import Kind, ProbeContext, ProbeFailure, ProbeResult, Status
from kairos.probes.spec import AfterResult, KindSpec, OptionField, ResourceMemory
from kairos.registry import auth
from kairos.registry.client import MANIFEST_LIMIT, Descriptor, Manifest, RegistryClient, RegistryError
from kairos.registry.reference import Reference, parse, validate_target

log = logging.getLogger("kairos.scheduler")  # the re-push note was the scheduler's: its log name stays

DEFAULT_PLATFORM = "linux/amd64"
# Index entries that are not platforms (BuildKit attestations) say "unknown/unknown".
_NOT_A_PLATFORM = "unknown/unknown"


class ImageConfig(certs.CertOptions):
    """Options of a container image resource (the target is the image reference)."""

    platform: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=r"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9.]+)?$",
        description="os/arch[/variant] to check in a multi-platform image. Default: linux/amd64 when the "
        "image has it, else its first platform. A configured platform the image lacks is NOT_AVAILABLE.",
    )
    allPlatforms: bool = Field(default=False, description="Check every platform of a multi-platform image.")
    manifestOnly: bool = Field(default=False, description="Stop after the manifest; do not probe the blobs.")
    insecureHttp: bool = Field(
        default=False, description="Speak plain HTTP to the registry (for registries without TLS)."
    )


async def probe(config: ImageConfig, ctx: ProbeContext) -> ProbeResult:
    try:
        ref = parse(ctx.target)
    except ValueError as exc:
        # A stored reference that no longer parses is a configuration problem, not the image being gone.
        return ProbeResult(Status.UNKNOWN, f"invalid image reference: {exc}", "invalid_target")
    started = time.monotonic()
    credential = (ctx.credential.username, ctx.credential.password) if ctx.credential else None
    cache = ctx.extra.get("token_cache")
    async with net.Session(
        user_agent=ctx.user_agent,
        max_body_bytes=MANIFEST_LIMIT,
        verify_tls=not ctx.skip_tls,
        policy=ctx.policy or net.OPEN,  # registry, blob storage and token realm requests all use this session
    ) as session:
        client = RegistryClient(
            ref,
            session,
            base_url=f"{'http' if config.insecureHttp else 'https'}://{ref.registry}",
            deadline=started + ctx.timeout_s,
            credential=credential,
            cache=cache if isinstance(cache, auth.TokenCache) else None,
        )
        if ctx.extra.get("trace"):
            client.stats.steps = []
        details: dict[str, Any] = {}
        failure: ProbeFailure | None = None
        try:
            await _check(config, ref, client, details)
        except RegistryError as exc:
            _add_stats(details, client, started)
            failure = ProbeFailure(
                exc.code, exc.message, http_status=exc.http_status, phases=_phases(client, started), details=details
            )

    def verdict() -> ProbeResult:
        if failure is not None:
            raise failure from None
        _add_stats(details, client, started)
        return ProbeResult(Status.AVAILABLE, _summary(ref, details), None, _phases(client, started), 200, details)

    # The registry's certificate: the first TLS origin met (blob storage and token realms come after it).
    registry_cert = next(iter(session.peer_certs.values()), None)
    return certs.checked(config, registry_cert, verdict, skip_tls=ctx.skip_tls)


async def _check(config: ImageConfig, ref: Reference, client: RegistryClient, details: dict[str, Any]) -> None:
    """Fill ``details`` as each step succeeds, so that a failure still shows how far the check got."""
    top = await client.manifest(ref.reference, expected_digest=ref.digest)
    details.update(digest=top.digest, mediaType=top.media_type)
    images = await _images(config, top, client, details)
    details["layerCount"] = sum(len(m.layers) for m in images)
    details["totalSize"] = sum(layer.size for m in images for layer in m.layers)
    if config.manifestOnly:
        return
    seen: set[str] = set()
    for blob in (b for m in images for b in (m.config, *m.layers) if b is not None):
        if blob.digest not in seen:  # layers shared between platforms are probed once
            seen.add(blob.digest)
            await client.check_blob(blob)
    details["blobsChecked"] = len(seen)


async def _images(
    config: ImageConfig, top: Manifest, client: RegistryClient, details: dict[str, Any]
) -> list[Manifest]:
    """The image manifests to check: the tag itself, or the selected platform(s) of an index."""
    if not top.is_index:
        if config.platform:
            details["platforms"] = [config.platform]  # not verifiable without reading the config blob
        return [top]
    chosen = select_platforms(top.children, config.platform, every=config.allPlatforms)
    details["platforms"] = [c.platform for c in chosen]
    client.stats.step("platform selection", ", ".join(str(c.platform) for c in chosen), None)  # no request
    details["platformDigests"] = {str(c.platform): c.digest for c in chosen}
    images = []
    for child in chosen:
        try:
            manifest = await client.manifest(child.digest, expected_digest=child.digest)
        except RegistryError as exc:
            if exc.code == "manifest_unknown":
                raise RegistryError(
                    "platform_missing",
                    f"the index lists {child.platform}, but its manifest is missing ({exc.message})",
                    http_status=exc.http_status,
                ) from None
            raise
        if manifest.is_index:
            raise RegistryError("manifest_invalid", f"the {child.platform} entry is itself an index")
        images.append(manifest)
    return images


def select_platforms(children: tuple[Descriptor, ...], wanted: str | None, *, every: bool) -> list[Descriptor]:
    """Pick index entries: all of them, the configured platform, or linux/amd64 else the first one."""
    platforms = [c for c in children if c.platform != _NOT_A_PLATFORM] or list(children)
    if not platforms:
        raise RegistryError("manifest_invalid", "the index lists no manifests")
    if every:
        return platforms
    if wanted is None:
        return [_match(platforms, DEFAULT_PLATFORM) or platforms[0]]
    match = _match(platforms, wanted)
    if match is None:
        offered = ", ".join(sorted({str(c.platform) for c in platforms}))[:300]
        raise RegistryError("platform_missing", f"platform {wanted} is not in the image (it has {offered})")
    return [match]


def _match(children: list[Descriptor], wanted: str) -> Descriptor | None:
    # "linux/arm64" matches "linux/arm64/v8": without a variant the user accepts any of them.
    want = wanted.split("/")
    for child in children:
        have = (child.platform or "").split("/")
        if have[:2] == want[:2] and (len(want) < 3 or have[2:3] == want[2:3]):
            return child
    return None


def _add_stats(details: dict[str, Any], client: RegistryClient, started: float) -> None:
    details["requests"] = client.stats.requests
    if client.stats.steps is not None:
        details["steps"] = [{"step": s, "outcome": o, "ms": ms} for s, o, ms in client.stats.steps]
    for phase, ms in client.stats.ms.items():
        details[f"{phase}_ms"] = round(ms, 3)


def _phases(client: RegistryClient, started: float) -> Phases:
    first = client.stats.first or Phases()
    total = round((time.monotonic() - started) * 1000.0, 3)
    return Phases(first.dns_ms, first.connect_ms, first.tls_ms, first.ttfb_ms, total, first.proxy_ms)


def _summary(ref: Reference, details: dict[str, Any]) -> str:
    digest = str(details.get("digest", ""))[:19]
    layers = details.get("layerCount", 0)
    what = "manifest" if "blobsChecked" not in details else f"{details['blobsChecked']} blobs"
    return f"{ref} pullable ({digest}…, {layers} layers, {what} checked, {details['requests']} requests)"


# -- the kind: a re-pushed tag, `kairos check image` lines, the form ---------------------------------------


def track_digest(state: ResourceMemory, result: ProbeResult) -> str | None:
    """Remember the digest a pullable image tag points at; return the previous one when it changed."""
    new = result.details.get("digest") if result.status is Status.AVAILABLE else None
    if not isinstance(new, str) or not new:
        return None
    old, state.image_digest = state.image_digest, new
    return old if old and old != new else None


def note_repush(event: AfterResult) -> None:
    """After a result: a tag that now points at another digest was re-pushed; say so on the result itself,
    so that history and the detail page show when the tag moved and from where."""
    previous = track_digest(event.state, event.result)
    if previous is None:
        return
    result, new = event.result, event.state.image_digest
    result.details["digestChanged"] = {"from": previous, "to": new}
    result.message = f"{result.message}; tag re-pushed (was {previous[:19]}…)"
    event.metrics.count_digest_change(event.resource_name)
    log.info("resource %s: tag re-pushed, %s -> %s", event.resource_id, previous, new)


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def report_steps(details: dict[str, Any]) -> list[str]:
    """The timed part of `kairos check image`: every registry request in order, then the time per phase. A phase
    with no request (no token needed, no blob probed after --manifest-only or a failure) shows "-", not 0 ms."""
    steps = details.get("steps", [])
    lines = [f"    {s['step']:<40}{s['outcome']:<28}{_ms(s['ms'])}" for s in steps]
    ran = {str(s["step"]).split(" ", 1)[0] for s in steps if s["ms"] is not None}
    for label, key in (("token", "token_ms"), ("manifest", "manifest_ms"), ("blobs", "blobs_ms")):
        if key in details:
            lines.append(f"  {label:<12}{_ms(details[key] if label in ran or not steps else None)}")
    return lines


def report_lines(details: dict[str, Any]) -> list[str]:
    """The image's facts, below the total of `kairos check image`."""
    lines = []
    for label, key in (
        ("digest", "digest"),
        ("media type", "mediaType"),
        ("platforms", "platforms"),
        ("layers", "layerCount"),
        ("size", "totalSize"),
        ("requests", "requests"),
    ):
        if details.get(key) is not None:
            value = details[key]
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            lines.append(f"  {label:<12}{shown}{' bytes' if key == 'totalSize' else ''}")
    return lines


FORM_FIELDS = (
    OptionField("platform", "Platform", "text"),
    OptionField(
        "manifestOnly",
        "Check mode",
        "select",
        (("false", "Full: manifest and the first byte of every blob"), ("true", "Manifest only")),
    ),
    OptionField("allPlatforms", "Check every platform", "checkbox"),
    OptionField("insecureHttp", "Plain HTTP to the registry", "checkbox"),
    *certs.FORM_FIELDS,
)

# Image facts (docs/images.md, "What is recorded") and counts: nothing here holds a host, path or address.
PUBLIC_DETAIL_KEYS = frozenset(
    {
        "digest",
        "mediaType",
        "platforms",
        "platformDigests",
        "layerCount",
        "totalSize",
        "blobsChecked",
        "digestChanged",
        "requests",
    }
)

SPEC = KindSpec(
    name=Kind.DOCKER,
    label="Container image",
    page_name="Container image",
    target_hint="An image reference, e.g. nginx:1.27 or ghcr.io/org/app:v1",
    config_model=ImageConfig,
    probe_fn=probe,
    validate_target=validate_target,
    default_interval_s=300,
    default_parallelism=2,
    default_timeout_s=30.0,
    watches_below=True,
    tracks_digest=True,
    form_fields=FORM_FIELDS,
    trace_instant_checks=True,  # each registry request, as `kairos check image`
    public_detail_keys=PUBLIC_DETAIL_KEYS,
    aliases=("docker", "docker_image", "dockerimage", "image"),
    after_result=note_repush,
    report_steps=report_steps,
    report_lines=report_lines,
)
