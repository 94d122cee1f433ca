"""``KAIROS_CERT_NOTICE_DAYS``: the certificate notice thresholds, parsed.

Apart from kairos.notify.cert_notices (which needs the database) so that reading the settings imports no
SQLAlchemy: every command of the CLI reads them, ``kairos check`` without a database."""

from __future__ import annotations


def parse_thresholds(text: str) -> tuple[int, ...]:
    """``"21,14,7,1"`` → (21, 14, 7, 1); raises ``ValueError`` with the reason."""
    items = [part.strip() for part in text.split(",") if part.strip()]
    if not items:
        return ()
    try:
        days = sorted({int(item) for item in items}, reverse=True)
    except ValueError:
        raise ValueError("certificate notice thresholds are whole days separated by commas, e.g. 21,14,7,1") from None
    if days[-1] < 1 or days[0] > 365 or len(days) > 20:
        raise ValueError("certificate notice thresholds are 1 to 365 days, at most 20 of them")
    return tuple(days)
