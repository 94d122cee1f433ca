"""Words for readers about a failure: why an outage happened, and whether a result's time is a latency at all.

Pages show the message a probe wrote ("connection refused by db.internal:5432"), with the stable code as a
detail. A message can name the target, so a caller who may not see targets gets words made from the code
instead (as the API's ``public_message`` does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kairos.probes.base import Status
from kairos.scheduler.recent import answered
from kairos.web.display import NONE

# The codes a visitor most often meets; any other code is spelled out from its name.
CODE_WORDS = {
    "connect_refused": "Connection refused",
    "connect_timeout": "Connection timed out",
    "connection_reset": "Connection reset",
    "network_unreachable": "Network unreachable",
    "network_error": "Network error",
    "dns_failed": "The name did not resolve",
    "dns_nxdomain": "The name does not exist",
    "dns_timeout": "The DNS server did not answer",
    "dns_no_answer": "The DNS server had no answer",
    "tls_invalid": "The certificate is not valid",
    "tls_error": "The TLS handshake failed",
    "timeout": "Timed out",
    "http_status": "Unexpected HTTP status",
    "body_mismatch": "The response did not match",
    "too_many_redirects": "Too many redirects",
    "redirect_invalid": "An invalid redirect",
    "protocol_error": "Not an HTTP answer",
    "target_denied": "The target is in a denied network",
}


class Failure(Protocol):
    @property
    def error_code(self) -> str | None: ...

    @property
    def message(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Reason:
    text: str  # for reading
    code: str | None  # the stable code, shown as a detail


def code_words(code: str) -> str:
    return CODE_WORDS.get(code) or code.replace("_", " ").capitalize()


def reason_of(failure: Failure, show_targets: bool) -> Reason:
    """The message when the caller may read it; else words for the code; a dash when neither is known."""
    code = failure.error_code or None
    message = (failure.message or "").strip()
    if message and show_targets:
        return Reason(message, code)
    return Reason(code_words(code) if code else NONE, code)


def answered_latency(status: str, http_status: int | None, latency_ms: float | None) -> float | None:
    """A result's time as a latency, or None when the target never answered.

    A refused connection, a name that does not resolve or a timeout still measure the time until they failed
    (0.3 ms for a refusal on the same host); shown as "0 ms" that reads like a fast answer. The rule is the
    dashboard's (kairos.scheduler.recent ``answered``), so every page says the same."""
    try:
        known = Status(status)
    except ValueError:
        return None
    return latency_ms if answered(known, http_status) else None
