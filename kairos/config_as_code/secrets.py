"""Secrets in a document are references, never values: ``${ENV_NAME}`` or ``{file: name}``.

They are resolved at import time; the database keeps them encrypted, and the export writes placeholders.
A reference reads server state, so what it may reach is bounded (docs/security.md, "Secrets in configuration
as code"): files only below ``KAIROS_SECRETS_DIR`` (after resolving symlinks and ``..``), environment variables
only with the prefix ``KAIROS_SECRET_ENV_PREFIX`` and never Kairos's own settings, and over the HTTP import
(API and console) nothing at all unless ``KAIROS_CONFIG_API_SECRETS=true``. Over HTTP every refusal reads the
same, so the error is no oracle for which files exist or which variables are set; the operator's channels (CLI,
``KAIROS_CONFIG_FILE``) say why."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kairos.settings import Settings

_ENV = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
MUST_BE_REFERENCE = "must be a reference, ${ENV_NAME} or {file: name}, never the secret itself"
NOT_AVAILABLE = "secret reference not allowed or not available"
MAX_FILE_BYTES = 64 * 1024
EXPORT_PREFIX = "KAIROS_SECRET_"  # what the export writes when environment references are switched off
# KAIROS_SECRET_KEY starts with the default prefix: no variable Kairos reads as a setting is ever a reference.
_SETTINGS = frozenset(f"KAIROS_{name.upper()}" for name in Settings.model_fields)


class Unavailable(ValueError):
    """A reference that may not be read here, or whose file or variable is missing: the message is safe to show."""


@dataclass(frozen=True)
class SecretPolicy:
    """What references may reach on one channel. The default resolves nothing."""

    secrets_dir: Path | None = None
    env_prefix: str = ""
    enabled: bool = False  # False: the HTTP import without KAIROS_CONFIG_API_SECRETS
    detailed: bool = False  # the operator's channels: errors say why

    @classmethod
    def operator(cls, settings: Settings) -> SecretPolicy:
        """``kairos import`` and ``KAIROS_CONFIG_FILE``: whoever runs them already reads the server's files."""
        return cls(settings.secrets_dir, settings.secret_env_prefix, enabled=True, detailed=True)

    @classmethod
    def http(cls, settings: Settings) -> SecretPolicy:
        """``POST /api/config/import`` and ``/admin/config``: an admin key must not become a file reader."""
        return cls(settings.secrets_dir, settings.secret_env_prefix, enabled=settings.config_api_secrets)

    def refuse(self, why: str) -> Unavailable:
        return Unavailable(why if self.detailed else NOT_AVAILABLE)

    def placeholder(self, kind: str, name: str) -> str:
        """``${KAIROS_SECRET_CREDENTIAL_MY_REGISTRY}`` for the credential "my registry": what the export writes."""
        return "${" + (self.env_prefix or EXPORT_PREFIX) + f"{kind}_{_slug(name)}" + "}"


def _slug(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "X"


# Per placeholder kind: what the secret is, and the object that holds it (for the "what to do" of an error).
_SUBJECTS = {
    "CREDENTIAL": ("the credential's secret", "the credential"),
    "NOTIFY": ("the channel's URL", "the channel"),
    "DISCOVERY": ("the source's password", "the discovery source"),
    "DISCOVERY_TOKEN": ("the source's token", "the discovery source"),
    "HEADER": ("the header's value", "the header"),
}


_CLI = "run kairos import on the server"


def advice(reference: Any, policy: SecretPolicy, kind: str, own: str, stored: bool) -> str:
    """What to do about a reference that could not be resolved. It depends on the reference as written, the
    policy and whether the object is stored, never on which variables are set or which files exist, and over
    HTTP it names no reference but the export's own placeholder ``own``: no oracle, one message for the rest."""
    value, holder = _SUBJECTS.get(kind, ("the secret", "the object"))
    tail = f"or remove {holder} from the file"
    if stored and reference != own:
        tail = f"write {own} to keep the stored one, {tail}"
    if not policy.enabled:
        return f"this server resolves no reference over HTTP (KAIROS_CONFIG_API_SECRETS): {_CLI}, {tail}"
    match = _ENV.match(reference) if isinstance(reference, str) else None
    name = match.group(1) if match else ""
    if not policy.detailed and reference != own:
        return f"on the server, set what it names (KAIROS_SECRET_ENV_PREFIX, KAIROS_SECRETS_DIR), {tail}"
    if isinstance(reference, dict):
        if policy.secrets_dir is None:
            return f"set KAIROS_SECRETS_DIR, {tail}"
        return f"put {value} in a file below KAIROS_SECRETS_DIR and name that file, {tail}"
    if policy.env_prefix and name.startswith(policy.env_prefix) and name.upper() not in _SETTINGS:
        return f"set {name} to {value}, {tail}"
    if not policy.env_prefix:
        return f"use a {{file: name}} reference (KAIROS_SECRET_ENV_PREFIX is empty), {tail}"
    return f"use a variable starting with {policy.env_prefix} (KAIROS_SECRET_ENV_PREFIX), {tail}"


def legacy_placeholder(kind: str, name: str) -> str:
    """``${KAIROS_CREDENTIAL_X}``: what exports wrote before the prefix rule (still means "keep the stored one")."""
    return "${" + f"KAIROS_{kind}_{_slug(name)}" + "}"


def is_reference(value: Any) -> bool:
    if isinstance(value, str):
        return _ENV.match(value) is not None
    return isinstance(value, dict) and set(value) == {"file"} and isinstance(value["file"], str) and bool(value["file"])


def check_reference(value: Any) -> str | dict[str, str]:
    """The reference as written; a plain string (a secret in clear) is refused."""
    if is_reference(value):
        return value if isinstance(value, str) else {"file": value["file"]}
    raise ValueError(MUST_BE_REFERENCE)


def resolve(reference: str | dict[str, str], policy: SecretPolicy) -> str:
    """The secret a reference points to; ``Unavailable`` when the policy refuses it or it cannot be read."""
    if not policy.enabled:
        raise policy.refuse("secret references are switched off on this channel (KAIROS_CONFIG_API_SECRETS)")
    if isinstance(reference, dict):
        return _read_file(reference["file"], policy)
    match = _ENV.match(reference)
    if match is None:
        raise policy.refuse(MUST_BE_REFERENCE)
    return _read_env(match.group(1), policy)


def _read_env(name: str, policy: SecretPolicy) -> str:
    if not policy.env_prefix or not name.startswith(policy.env_prefix):
        prefix = policy.env_prefix or "(empty: environment references are off)"
        raise policy.refuse(f"the environment variable {name} does not start with KAIROS_SECRET_ENV_PREFIX {prefix}")
    if name.upper() in _SETTINGS:
        raise policy.refuse(f"{name} is a Kairos setting, not a secret reference")
    if name not in os.environ:
        raise policy.refuse(f"the environment variable {name} is not set")
    return os.environ[name]


def _inside(root: str, path: str) -> bool:
    return path != root and os.path.commonpath([root, path]) == root


def _read_file(name: str, policy: SecretPolicy) -> str:
    if policy.secrets_dir is None:
        raise policy.refuse("file references need KAIROS_SECRETS_DIR (e.g. /run/secrets)")
    root = os.path.realpath(policy.secrets_dir)
    # Relative names are below the directory; absolute ones must lead into it once symlinks and .. are resolved.
    path = os.path.realpath(os.path.join(root, name))
    if not _inside(root, path):
        raise policy.refuse(f"the secret file {name} is not inside KAIROS_SECRETS_DIR {root}")
    try:
        # O_NOFOLLOW: the checked path is the opened one; O_NONBLOCK: a FIFO cannot hang the import.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise policy.refuse(f"cannot read the secret file {path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise policy.refuse(f"the secret file {path} is not a regular file")
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise policy.refuse(f"the secret file {path} is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise policy.refuse(f"the secret file {path} is not UTF-8") from None
