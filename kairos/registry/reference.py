"""Image references (``nginx``, ``ghcr.io/org/app:1.2``, ``host:5000/a/b@sha256:…``), parsed as Docker does.

The grammar follows the distribution project's reference rules: an optional registry host (recognised by a
dot, a port or the name ``localhost``), a lower-case repository path, an optional tag and an optional digest.
Docker Hub names are normalised (``nginx`` → ``registry-1.docker.io/library/nginx:latest``) because that is
the host that actually serves them. Every refusal says which part is wrong, so users can fix the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "registry-1.docker.io"
# Names users write for Docker Hub; the API itself lives on registry-1.docker.io.
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
DEFAULT_TAG = "latest"
MAX_NAME_LENGTH = 255  # registry host plus repository, as in the distribution grammar

_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_HOST_LABEL = re.compile(r"^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$")
_PORT = re.compile(r"^[0-9]{1,5}$")
_IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]+\]$")
# Only algorithms we can verify; anything else would be a digest we silently fail to check.
DIGEST_HEX_LENGTHS = {"sha256": 64, "sha512": 128}


@dataclass(frozen=True, slots=True)
class Reference:
    registry: str  # host[:port] as written (lower case), Docker Hub normalised
    repository: str  # e.g. "library/nginx", "team/a/b/app"
    tag: str | None = None
    digest: str | None = None  # "sha256:<hex>"

    @property
    def reference(self) -> str:
        """What goes after ``/manifests/``: the digest when there is one (it pins the content), else the tag."""
        return self.digest or self.tag or DEFAULT_TAG

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def parse(text: str) -> Reference:
    """Parse and normalise ``text``; raise ``ValueError`` naming the part that is wrong."""
    text = text.strip()
    if not text:
        raise ValueError("image reference is empty")
    if any(ch.isspace() for ch in text):
        raise ValueError("image reference must not contain whitespace")
    rest, digest = _split_digest(text)
    rest, tag = _split_tag(rest)
    registry, path = _split_registry(rest)
    if registry in _HUB_ALIASES:
        registry = DOCKER_HUB
        if "/" not in path:
            path = f"library/{path}"  # official images live in the "library" namespace
    _check_path(path)
    if len(registry) + 1 + len(path) > MAX_NAME_LENGTH:
        raise ValueError(f"image name is longer than {MAX_NAME_LENGTH} characters")
    if tag is None and digest is None:
        tag = DEFAULT_TAG
    return Reference(registry, path, tag, digest)


def validate_target(text: str) -> str:
    """For stored resources: check ``text`` parses and keep it as the user wrote it (trimmed)."""
    parse(text)
    return text.strip()


def check_digest(digest: str) -> str:
    algorithm, sep, hex_part = digest.partition(":")
    if not sep or not algorithm:
        raise ValueError(f"digest '{digest[:80]}' must look like sha256:<64 hex digits>")
    expected = DIGEST_HEX_LENGTHS.get(algorithm)
    if expected is None:
        raise ValueError(f"digest algorithm '{algorithm[:20]}' is not supported; use sha256 or sha512")
    if len(hex_part) != expected or not re.fullmatch(r"[0-9a-f]+", hex_part):
        raise ValueError(f"digest must be {algorithm}: followed by {expected} lower-case hex digits")
    return digest


def _split_digest(text: str) -> tuple[str, str | None]:
    name, at, digest = text.partition("@")
    if not at:
        return text, None
    if not name:
        raise ValueError("image name before '@' is empty")
    if "@" in digest:
        raise ValueError("image reference has more than one '@'")
    return name, check_digest(digest)


def _split_tag(text: str) -> tuple[str, str | None]:
    # A colon after the last slash is the tag; one before it belongs to the registry's port.
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon <= slash:
        return text, None
    name, tag = text[:colon], text[colon + 1 :]
    if not tag:
        raise ValueError("tag after ':' is empty")
    if not _TAG.match(tag):
        raise ValueError(
            f"tag '{tag[:40]}' is invalid: use letters, digits, '_', '.', '-' (not first), at most 128 characters"
        )
    return name, tag


def _split_registry(text: str) -> tuple[str, str]:
    first, slash, rest = text.partition("/")
    # Docker's rule: the first component is a host only if it has a dot, a port, or is localhost.
    looks_like_host = "." in first or ":" in first or first == "localhost" or first.startswith("[")
    if not slash or not looks_like_host:
        return DOCKER_HUB, text
    if not rest:
        raise ValueError(f"repository path after registry '{first}' is empty")
    return _check_registry(first), rest


def _check_registry(host_port: str) -> str:
    if host_port.startswith("["):
        end = host_port.find("]")
        host, port_part = host_port[: end + 1], host_port[end + 1 :]
        if end < 0 or not _IPV6.match(host):
            raise ValueError(f"registry '{host_port[:60]}' is not a valid IPv6 address in brackets")
    else:
        host, _, port_text = host_port.partition(":")
        port_part = f":{port_text}" if ":" in host_port else ""
        labels = host.split(".")
        if not host or not all(_HOST_LABEL.match(label) for label in labels):
            raise ValueError(f"registry host '{host[:60]}' is not a valid host name")
    if port_part:
        port_text = port_part[1:]
        if not _PORT.match(port_text) or not 1 <= int(port_text) <= 65535:
            raise ValueError(f"registry port '{port_text[:10]}' is not a number between 1 and 65535")
    return host.lower() + port_part


def _check_path(path: str) -> None:
    for component in path.split("/"):
        if not component:
            raise ValueError(
                f"repository path '{path[:80]}' has an empty component (two '/' in a row or a '/' at the end)"
            )
        if component != component.lower() and _PATH_COMPONENT.match(component.lower()):
            raise ValueError(f"repository path '{path[:80]}' must be lower case")
        if not _PATH_COMPONENT.match(component):
            raise ValueError(
                f"repository path component '{component[:40]}' is invalid: use lower-case letters and digits "
                "separated by '.', '_', '__' or '-'"
            )
