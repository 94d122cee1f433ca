"""A small OCI Distribution client: manifests (with digest checks), blob reachability, auth, counters.

It speaks only what a pullability check needs, over :class:`kairos.net.Session` so that the manifest and
blob requests of one check share a kept-alive connection. Every failure is a :class:`RegistryError` with a
stable code, decided here from the HTTP status so that the probe only maps codes to verdicts.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kairos import net
from kairos.net.client import basic_auth_header
from kairos.net.timing import Phases
from kairos.registry import auth, realms
from kairos.registry.reference import DIGEST_HEX_LENGTHS, Reference

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
# All four, always: without a type a registry answers 404 for OCI content or converts Docker content to schema1.
ACCEPT = ", ".join((OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFEST_LIMIT = 4 * 1024 * 1024  # the size registries are asked to accept (OCI distribution spec)

TOKEN, MANIFEST, BLOBS = "token", "manifest", "blobs"


class RegistryError(Exception):
    """A failed step with a stable ``code`` (``manifest_unknown``, ``blob_unreachable``, …)."""

    def __init__(self, code: str, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status


@dataclass(slots=True)
class Stats:
    """What one check cost: HTTP requests sent and milliseconds spent per phase."""

    requests: int = 0
    ms: dict[str, float] = field(default_factory=lambda: {TOKEN: 0.0, MANIFEST: 0.0, BLOBS: 0.0})
    first: Phases | None = None  # connection phases of the first registry request, for the result
    # Every request with its outcome and time, kept only when asked for (kairos check image prints it).
    steps: list[tuple[str, str, float | None]] | None = None  # None: a step that sends no request

    def add(self, phase: str, seconds: float) -> None:
        self.ms[phase] = self.ms.get(phase, 0.0) + seconds * 1000.0

    def step(self, what: str, outcome: str, seconds: float | None) -> None:
        if self.steps is not None:
            self.steps.append((what, outcome, None if seconds is None else round(seconds * 1000.0, 3)))


@dataclass(frozen=True, slots=True)
class Descriptor:
    digest: str
    size: int
    media_type: str = ""
    platform: str | None = None  # "os/arch[/variant]" for index entries


@dataclass(frozen=True, slots=True)
class Manifest:
    digest: str
    media_type: str
    children: tuple[Descriptor, ...] = ()  # index entries (an index or manifest list)
    config: Descriptor | None = None
    layers: tuple[Descriptor, ...] = ()

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEX_TYPES


class RegistryClient:
    """Requests for one repository during one check, all before ``deadline`` (a ``time.monotonic`` value)."""

    def __init__(
        self,
        ref: Reference,
        session: net.Session,
        *,
        base_url: str,
        deadline: float,
        credential: tuple[str, str] | None = None,
        cache: auth.TokenCache | None = None,
        clock: Callable[[], float] = time.monotonic,
        scope: str | None = None,
    ) -> None:
        self.ref = ref
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.deadline = deadline
        self.credential = credential
        self.cache = cache if cache is not None else auth.DEFAULT_CACHE
        self.clock = clock
        self.stats = Stats()
        # Discovery lists the catalog with "registry:catalog:*"; everything else pulls one repository.
        self.scope = scope or f"repository:{ref.repository}:pull"
        self._ident = auth.identity(credential)
        self._authorization: str | None = None  # what worked earlier in this check
        self._withheld_from: str | None = None  # a token realm on another host that got no credentials

    async def manifest(self, reference: str, *, expected_digest: str | None = None) -> Manifest:
        """GET a manifest by tag or digest, check its digest, parse it. Raises :class:`RegistryError`."""
        path = f"/v2/{self.ref.repository}/manifests/{reference}"
        result = await self._get(path, [("Accept", ACCEPT)], MANIFEST)
        if result.status != 200:
            sep = "@" if ":" in reference else ":"  # a digest has a colon, a tag never does
            error = _status_error(result, f"manifest {self.ref.repository}{sep}{reference}", missing="manifest_unknown")
            if error.code == "registry_unauthorized" and self._withheld_from:
                error.message += f" (credentials not sent to the token realm on another host, {self._withheld_from})"
            raise error
        if result.truncated:
            raise RegistryError("manifest_invalid", f"manifest is larger than {MANIFEST_LIMIT // 1048576} MiB")
        digest = _verify_digest(result, expected_digest)
        content_type = (result.header("content-type") or "").split(";")[0].strip()
        return parse_manifest(result.body, digest, content_type)

    async def check_blob(self, blob: Descriptor) -> None:
        """Ask for the first byte of a blob: 206 (or 200 from a server ignoring Range) means it can be pulled."""
        path = f"/v2/{self.ref.repository}/blobs/{blob.digest}"
        result = await self._get(path, [("Range", "bytes=0-0")], BLOBS)
        if result.status not in (200, 206):
            raise _status_error(result, f"blob {blob.digest[:19]}…", missing="blob_unreachable")

    async def get(self, path: str, headers: list[tuple[str, str]] | None = None) -> net.FetchResult:
        """An authenticated GET of any registry path (catalog, tags list); the caller judges the status."""
        return await self._get(path, [("Accept", "application/json"), *(headers or [])], MANIFEST)

    async def _get(self, path: str, headers: list[tuple[str, str]], phase: str) -> net.FetchResult:
        authorization = self._authorization or self._cached_authorization()
        result = await self._send(path, headers, authorization, phase)
        if result.status != 401:
            return result
        if authorization and authorization.startswith("Bearer "):
            self.cache.forget(self.ref.registry, self.scope, self._ident)  # revoked or expired early
        fresh = await self._answer_challenge(result, authorization)
        if fresh is None:
            return result
        self._authorization = fresh
        return await self._send(path, headers, fresh, phase)

    def _cached_authorization(self) -> str | None:
        token = self.cache.get(self.ref.registry, self.scope, self._ident)
        if token is not None:
            return f"Bearer {token}"
        if self.credential is not None and self.cache.wants_basic(self.ref.registry):
            return basic_auth_header(*self.credential)
        return None

    async def _answer_challenge(self, result: net.FetchResult, sent: str | None) -> str | None:
        """The Authorization value to retry with, or None when retrying cannot help."""
        values = [v for n, v in result.headers if n == "www-authenticate"]
        challenge = auth.choose(auth.parse_www_authenticate(values))
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            if self.credential is None or (sent or "").startswith("Basic "):
                return None  # no credentials, or the ones we have were just refused
            self.cache.mark_basic(self.ref.registry)
            return basic_auth_header(*self.credential)
        return f"Bearer {await self._token(challenge)}"

    def _realm_credential(self, challenge: auth.Challenge) -> tuple[str, str] | None:
        """The credential the challenge's realm may get (kairos/registry/realms.py): the resource's own, or
        None for a realm on a foreign host; ``RegistryError`` when the realm may not be used at all."""
        realm = challenge.params.get("realm", "")
        if not realm:
            return self.credential  # request_token refuses a challenge without a realm
        try:
            decision = realms.decide(self.base_url, realm, has_credential=self.credential is not None)
        except realms.RealmRefused as exc:
            self.stats.step("token", "token_realm_refused", None)  # refused before any request
            raise RegistryError("token_realm_refused", exc.message) from None
        if decision == "anonymous":
            self._withheld_from = realms.host_of(realm)[:100]
            return None
        return self.credential

    async def _token(self, challenge: auth.Challenge) -> str:
        scope = challenge.params.get("scope") or self.scope
        credential = self._realm_credential(challenge)
        started = time.perf_counter()
        try:
            token, expires_in, requests = await auth.request_token(
                self.session, challenge, scope, credential, timeout_s=self._remaining()
            )
        except auth.TokenFailed as exc:
            self.stats.requests += 1
            code = "registry_unauthorized" if exc.unauthorized else "token_failed"
            self.stats.step("token", code, time.perf_counter() - started)
            raise RegistryError(code, exc.message, http_status=exc.status) from None
        except (net.TlsInvalid, net.TargetDenied) as exc:
            self.stats.requests += isinstance(exc, net.TlsInvalid)  # a denied realm was never sent a packet
            self.stats.step("token", exc.code, time.perf_counter() - started)
            raise RegistryError(exc.code, f"token server: {exc.message}") from None
        finally:
            self.stats.add(TOKEN, time.perf_counter() - started)
        self.stats.step(f"token ({scope})", "issued", time.perf_counter() - started)
        self.stats.requests += requests
        self.cache.put(self.ref.registry, self.scope, self._ident, token, expires_in)
        return token

    async def _send(
        self, path: str, headers: list[tuple[str, str]], authorization: str | None, phase: str
    ) -> net.FetchResult:
        # Authorization travels as a header: net drops it on a redirect to another origin (blob storage).
        wire = headers + ([("Authorization", authorization)] if authorization else [])
        started = time.perf_counter()
        try:
            result = await self.session.fetch(self.base_url + path, headers=wire, timeout_s=self._remaining())
        except net.NetError as exc:
            self.stats.requests += 1
            if self.stats.first is None:
                self.stats.first = exc.phases
            self.stats.step(_step_name(phase, path), exc.code, time.perf_counter() - started)
            raise RegistryError(exc.code, exc.message) from None
        finally:
            self.stats.add(phase, time.perf_counter() - started)
        outcome = "401 challenge" if result.status == 401 else str(result.status)
        if result.redirects:
            outcome += f" after {len(result.redirects)} redirect(s)"
        self.stats.step(_step_name(phase, path), outcome, time.perf_counter() - started)
        self.stats.requests += 1 + len(result.redirects)
        if self.stats.first is None:
            self.stats.first = result.phases
        return result

    def _remaining(self) -> float:
        left = self.deadline - self.clock()
        if left <= 0:
            raise RegistryError("timeout", "the check ran out of time")
        return left


def _step_name(phase: str, path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    return f"{phase} {last[:26]}{'…' if len(last) > 26 else ''}"


def _status_error(result: net.FetchResult, what: str, *, missing: str) -> RegistryError:
    """Map a non-success status to a code: the registry's own error code goes into the message."""
    status = result.status
    text = f"{what}: HTTP {status}{_registry_code(result.body)}"
    if status in (401, 403):
        code = "blob_unreachable" if missing == "blob_unreachable" else "registry_unauthorized"
    elif status == 429:
        code = "rate_limited"
    elif status >= 500:
        code = "registry_error"
    elif status in (404, 410) or missing == "blob_unreachable":
        code = missing
    else:
        code = "registry_error"
    return RegistryError(code, text, http_status=status)


def _registry_code(body: bytes) -> str:
    """`` MANIFEST_UNKNOWN`` from ``{"errors":[{"code":…}]}``, or nothing."""
    try:
        errors = json.loads(body[:65536]).get("errors")
        code = errors[0].get("code") if isinstance(errors, list) and errors else None
    except (ValueError, AttributeError):
        return ""
    return f" {str(code)[:40]}" if isinstance(code, str) else ""


def _verify_digest(result: net.FetchResult, expected: str | None) -> str:
    """The digest of the bytes received, compared with the one we asked for and the one the registry claims."""
    claimed = result.header("docker-content-digest")
    algorithm = (expected or claimed or "sha256").partition(":")[0]
    if algorithm not in DIGEST_HEX_LENGTHS:
        algorithm = "sha256"
    actual = f"{algorithm}:{hashlib.new(algorithm, result.body).hexdigest()}"
    if expected is not None and actual != expected:
        raise RegistryError("digest_mismatch", f"manifest bytes hash to {actual}, not the requested {expected}")
    if claimed and claimed.partition(":")[0] == algorithm and claimed != actual:
        raise RegistryError("digest_mismatch", f"manifest bytes hash to {actual}, but the registry says {claimed}")
    return actual


def parse_manifest(body: bytes, digest: str, content_type: str) -> Manifest:
    try:
        data = json.loads(body)
    except ValueError:
        raise RegistryError("manifest_invalid", "the manifest is not valid JSON") from None
    if not isinstance(data, dict):
        raise RegistryError("manifest_invalid", "the manifest is not a JSON object")
    media_type = str(data.get("mediaType") or content_type)
    if data.get("schemaVersion") == 1:
        raise RegistryError("manifest_unsupported", "the registry sent a legacy schema 1 manifest")
    try:
        if isinstance(data.get("manifests"), list):
            children = tuple(_descriptor(d, with_platform=True) for d in data["manifests"])
            return Manifest(digest, media_type or OCI_INDEX, children=children)
        config = _descriptor(data["config"])
        layers = tuple(_descriptor(d) for d in data.get("layers") or [])
    except (KeyError, TypeError, ValueError):
        raise RegistryError("manifest_invalid", "the manifest lacks a config, layers or manifests entry") from None
    return Manifest(digest, media_type or OCI_MANIFEST, config=config, layers=layers)


def _descriptor(data: Any, *, with_platform: bool = False) -> Descriptor:
    digest, size = data["digest"], data.get("size", 0)
    if not isinstance(digest, str) or ":" not in digest or not isinstance(size, int):
        raise ValueError("bad descriptor")
    platform = _platform_text(data.get("platform")) if with_platform else None
    return Descriptor(digest, size, str(data.get("mediaType", "")), platform)


def _platform_text(platform: Any) -> str | None:
    if not isinstance(platform, dict):
        return None
    parts = [str(platform.get("os", "")), str(platform.get("architecture", ""))]
    if platform.get("variant"):
        parts.append(str(platform["variant"]))
    return "/".join(parts)
