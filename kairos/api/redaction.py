"""What a caller who may not see targets may read of a check result.

Check messages and some details name the target (``connection refused to db.internal:5432``, the image
reference, an HTTP check's ``final_url``, a TCP check's ``address``). When the site hides targets from
anonymous visitors, those visitors get a message built from the status, the error code and the HTTP status
only, and only the details listed here, none of which can carry a host name."""

from __future__ import annotations

from typing import Any

from kairos.api.deps import Caller
from kairos.probes.kinds import all_specs
from kairos.runtime import Runtime


def public_detail_keys() -> frozenset[str]:
    """Every kind's details that never name a host, path or address (its spec's ``public_detail_keys``)."""
    return frozenset().union(*(spec.public_detail_keys for spec in all_specs()))


_STATUS_WORDS = {
    "AVAILABLE": "Available", "NOT_AVAILABLE": "Not available", "UNKNOWN": "Unknown", "MAINTENANCE": "Maintenance"
}  # fmt: skip


def targets_shown(caller: Caller, runtime: Runtime) -> bool:
    """Signed-in callers always see targets; anonymous ones when the site settings say so."""
    return caller.authenticated or runtime.site.show_targets


def public_message(status: str, error_code: str | None, http_status: int | None) -> str:
    """``Not available: connect_refused``, ``Available (HTTP 200)``: a message without the target in it."""
    text = _STATUS_WORDS.get(status, status)
    if error_code:
        text += f": {error_code}"
    if http_status is not None:
        text += f" (HTTP {http_status})"
    return text


def public_details(details: dict[str, Any] | None) -> dict[str, Any] | None:
    if not details:
        return details
    public = public_detail_keys()
    return {k: v for k, v in details.items() if k in public}
