"""TLS certificate expiry, shared by every kind that speaks TLS (HTTPS, TLS registries, TCP with ``tls: true``).

A probe hands the leaf certificate it met (DER, from :mod:`kairos.net`) to :func:`record`, which stores its facts
in the result's ``details["certificate"]``; :func:`judge` then applies the resource's ``certExpiryDays`` and
``certExpiryMode``. The certificate is parsed here and not by ``ssl`` because with verification off
(skip TLS) ``getpeercert()`` returns nothing but the DER form.

- ``fail``: a certificate expiring within ``certExpiryDays`` makes an otherwise available check NOT_AVAILABLE
  with the code ``cert_expiring``;
- ``warn``: the result stays, ``details.certificate.warning`` is set (the cert badge turns yellow);
- with skip TLS the verdict never depends on the certificate (the user said not to judge it): ``fail`` acts
  like ``warn``, and even an expired certificate only warns. Events and the metric work the same in all cases.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal

from cryptography import x509
from pydantic import Field

from kairos.probes.base import ProbeConfig, ProbeFailure, ProbeResult, Status
from kairos.probes.spec import OptionField

CERT_EXPIRING = "cert_expiring"
DEFAULT_EXPIRY_DAYS = 14
DAY_S = 86400.0
_MAX_SANS = 50  # a CDN certificate may carry hundreds: the first ones tell which certificate it is
_MAX_NAME = 300


class CertOptions(ProbeConfig):
    """The expiry options of a kind that speaks TLS; a kind's config model inherits them."""

    certExpiryDays: int = Field(
        default=DEFAULT_EXPIRY_DAYS,
        ge=0,
        le=365,
        description="A TLS certificate expiring within this many days makes the check fail or warn "
        "(certExpiryMode). 0 turns it off.",
    )
    certExpiryMode: Literal["fail", "warn"] = Field(
        default="fail",
        description='"fail": NOT_AVAILABLE with code cert_expiring; "warn": the result stays, a warning badge.',
    )


FORM_FIELDS = (
    OptionField("certExpiryDays", "Certificate expiry threshold (days)", "number"),
    OptionField(
        "certExpiryMode",
        "When the certificate expires within it",
        "select",
        (("fail", "Not available (cert_expiring)"), ("warn", "Only warn")),
    ),
)


def describe(der: bytes, now: datetime) -> dict[str, Any]:
    """The API's ``certificate`` object of one DER certificate: notAfter, issuer, subject, SANs, days left."""
    cert = x509.load_der_x509_certificate(der)
    not_after = cert.not_valid_after_utc
    left_s = (not_after - now).total_seconds()
    return {
        "notAfter": _iso(not_after),
        "notBefore": _iso(cert.not_valid_before_utc),
        "issuer": cert.issuer.rfc4514_string()[:_MAX_NAME],
        "subject": cert.subject.rfc4514_string()[:_MAX_NAME],
        "sans": _sans(cert),
        "daysLeft": int(left_s / DAY_S),  # whole days, toward zero: "expired 2 days ago"
        "fingerprint": hashlib.sha256(der).hexdigest(),
    }


def record(result: ProbeResult, der: bytes | None) -> ProbeResult:
    """Add the certificate to ``result.details`` (nothing when there was none or it cannot be parsed: a
    certificate a TLS stack accepted but cryptography cannot read says nothing we could show)."""
    if der is None:
        return result
    try:
        result.details["certificate"] = describe(der, result.checked_at)
    except ValueError:
        return result
    return result


def checked(
    config: CertOptions, der: bytes | None, verdict: Callable[[], ProbeResult], *, skip_tls: bool
) -> ProbeResult:
    """The probe's own ``verdict()`` with the certificate recorded, also on a failure (a 503 still shows the
    certificate), and the expiry judged on success."""
    try:
        result = verdict()
    except ProbeFailure as failure:
        cert = certificate_of(record(ProbeResult(Status.NOT_AVAILABLE, ""), der).details)
        if cert is not None:
            cert["expiryDays"] = config.certExpiryDays
            failure.details["certificate"] = cert
        raise
    return judge(config, record(result, der), skip_tls=skip_tls)


def judge(config: CertOptions, result: ProbeResult, *, skip_tls: bool) -> ProbeResult:
    """Apply ``certExpiryDays``/``certExpiryMode`` to a result that carries a certificate."""
    cert = result.details.get("certificate")
    if not isinstance(cert, dict):
        return result
    cert["expiryDays"] = config.certExpiryDays  # events and the page read the threshold from the result
    if config.certExpiryDays <= 0 or not expiring(cert, config.certExpiryDays, result.checked_at):
        return result
    if config.certExpiryMode == "warn" or skip_tls or result.status is not Status.AVAILABLE:
        cert["warning"] = True
        return result
    return replace(result, status=Status.NOT_AVAILABLE, message=expiry_message(cert), error_code=CERT_EXPIRING)


def seconds_left(cert: dict[str, Any], now: datetime) -> float | None:
    """Seconds until the certificate's notAfter (negative once expired); None when unreadable."""
    try:
        not_after = datetime.fromisoformat(str(cert["notAfter"]))
    except (KeyError, ValueError):
        return None
    return (not_after - now).total_seconds()


def expiring(cert: dict[str, Any], days: int, now: datetime) -> bool:
    left = seconds_left(cert, now)
    return left is not None and left < days * DAY_S


def expiry_message(cert: dict[str, Any]) -> str:
    days = int(cert.get("daysLeft", 0))
    when = str(cert.get("notAfter", "?"))
    if days < 0:
        return f"TLS certificate expired {-days} days ago (notAfter {when})"
    return f"TLS certificate expires in {days} days (notAfter {when})"


def report_lines(details: dict[str, Any]) -> list[str]:
    """``kairos check``'s lines about the certificate the check met (none without one)."""
    cert = certificate_of(details)
    if cert is None:
        return []
    days = int(cert.get("daysLeft", 0))
    left = f"expired {-days} days ago" if days < 0 else f"{days} days left"
    return [
        f"  {'certificate':<12}{cert.get('subject', '')}, issued by {cert.get('issuer', '')}",
        f"  {'not after':<12}{cert.get('notAfter', '?')} ({left})",
    ]


def certificate_of(details: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``certificate`` object of a result's details, if any."""
    cert = (details or {}).get("certificate")
    return cert if isinstance(cert, dict) else None


def _sans(cert: x509.Certificate) -> list[str]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    names: list[str] = []
    for name in ext.value:
        if isinstance(name, x509.DNSName):
            names.append(name.value[:_MAX_NAME])
        elif isinstance(name, x509.IPAddress) and isinstance(name.value, ipaddress.IPv4Address | ipaddress.IPv6Address):
            names.append(str(name.value))
        if len(names) >= _MAX_SANS:
            break
    return names


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
