"""The ``certificate`` object of a resource's status and detail (kairos.probes.certs records it per result)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from kairos.api.schemas.common import ApiModel
from kairos.probes.certs import DAY_S, seconds_left


class CertificateInfo(ApiModel):
    not_after: str = Field(description="The leaf certificate's notAfter (ISO 8601, UTC).")
    issuer: str = Field(description="Issuer distinguished name (RFC 4514).")
    subject: str = Field(description="Subject distinguished name (RFC 4514).")
    sans: list[str] = Field(description="Subject alternative names: DNS names and IP addresses (at most 50).")
    days_left: int = Field(description="Whole days until notAfter, now (negative once expired).")
    expiring: bool = Field(description="Within the resource's certExpiryDays (false when that is 0).")
    fingerprint: str = Field(description="SHA-256 of the DER certificate, hex.")


def certificate_info(cert: dict[str, Any] | None, now: datetime | None = None) -> CertificateInfo | None:
    """The API view of a result's stored certificate; None when there is none."""
    if cert is None:
        return None
    left = seconds_left(cert, now or datetime.now(UTC))
    if left is None:
        return None
    threshold = int(cert.get("expiryDays") or 0)
    return CertificateInfo(
        not_after=str(cert["notAfter"]),
        issuer=str(cert.get("issuer", "")),
        subject=str(cert.get("subject", "")),
        sans=[str(s) for s in cert.get("sans", [])],
        days_left=int(left / DAY_S),
        expiring=bool(threshold) and left < threshold * DAY_S,
        fingerprint=str(cert.get("fingerprint", "")),
    )
