"""Header values in configuration as code: secrets, so exported as references and resolved on import.

An HTTP check's ``options.headers`` values are often tokens. The export writes each one as
``${KAIROS_SECRET_HEADER_<RESOURCE>_<HEADER>}`` (the placeholder credentials use, kairos/config_as_code/secrets.py);
on import a value that is a reference (``${NAME}`` or ``{file: name}``) is resolved under the same policy as any
secret, and the export's own placeholder that cannot be resolved keeps the stored value. A plain value is taken
as written, and the API's mask (kairos/secrets_mask.py) keeps the stored value as it does in the API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kairos.config_as_code import secrets
from kairos.services.resources import with_stored_headers

if TYPE_CHECKING:
    from kairos.config_as_code import v1
    from kairos.config_as_code.source import Document

KIND = "HEADER"


def label(resource: str, header: str) -> str:
    """The name part of a header's placeholder: ``api`` + ``X-Token`` → ``API_X_TOKEN``."""
    return f"{resource}_{header}"


def _stored(stored: dict[str, Any] | None, name: str) -> str | None:
    headers = (stored or {}).get("headers")
    if not isinstance(headers, dict):
        return None
    value = headers.get(name)
    if value is None:  # header names are case-insensitive
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value if isinstance(value, str) else None


def resolve_headers(doc: Document, i: int, item: v1.ResourceItem, stored: dict[str, Any] | None) -> dict[str, Any]:
    """``item.options`` with header references resolved; ``ConfigError`` at the header's line when refused.
    ``Invalid`` (from the resource service's mask rule) is mapped by the caller like any option error."""
    headers = item.options.get("headers")
    if not isinstance(headers, dict):
        return item.options
    out: dict[str, Any] = {}
    for name, value in headers.items():
        if secrets.is_reference(value):
            kept = (KIND, label(item.name, str(name)), _stored(stored, str(name)))
            value = doc.secret(("resources", i, "options", "headers", name), value, kept)
        out[name] = value
    return with_stored_headers({**item.options, "headers": out}, stored) or {}


def export_headers(policy: secrets.SecretPolicy, resource: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with every header value replaced by its placeholder: no header value leaves in clear."""
    headers = options.get("headers")
    if not isinstance(headers, dict) or not headers:
        return options
    refs = {name: policy.placeholder(KIND, label(resource, name)) for name in headers}
    return {**options, "headers": refs}
