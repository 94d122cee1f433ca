"""Secrets in a document are references, never values: ``${ENV_NAME}`` or ``{file: /path}``.

They are resolved at import time; the database keeps them encrypted, and the export writes placeholders."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

_ENV = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
MUST_BE_REFERENCE = "must be a reference, ${ENV_NAME} or {file: /path}, never the secret itself"


def check_reference(value: Any) -> str | dict[str, str]:
    """The reference as written; a plain string (a secret in clear) is refused."""
    if isinstance(value, str) and _ENV.match(value):
        return value
    if isinstance(value, dict) and set(value) == {"file"} and isinstance(value["file"], str) and value["file"]:
        return {"file": value["file"]}
    raise ValueError(MUST_BE_REFERENCE)


def resolve(reference: str | dict[str, str]) -> str:
    """The secret a reference points to; ``ValueError`` names the missing variable or unreadable file."""
    if isinstance(reference, dict):
        path = Path(reference["file"])
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ValueError(f"cannot read the secret file {path}: {exc.strerror}") from None
    match = _ENV.match(reference)
    assert match is not None  # checked by check_reference when the document was read
    name = match.group(1)
    if name not in os.environ:
        raise ValueError(f"the environment variable {name} is not set")
    return os.environ[name]


def placeholder(prefix: str, name: str) -> str:
    """``${KAIROS_CREDENTIAL_MY_REGISTRY}`` for the credential "my registry": what the export writes."""
    slug = re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "X"
    return "${" + f"KAIROS_{prefix}_{slug}" + "}"
