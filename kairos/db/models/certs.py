"""Certificate expiry notices already sent: one row per (resource, certificate, threshold), so that each threshold
notifies once per certificate, after a restart too, and in the fleet (the primary key makes two locations that
see the same crossing insert one row; the one that inserts sends). A new certificate has a new fingerprint."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base, UTCDateTime, utcnow


class CertNotice(Base):
    __tablename__ = "cert_notice"

    resource_id: Mapped[int] = mapped_column(Integer, ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the DER certificate
    threshold_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
