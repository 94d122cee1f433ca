"""PUSH (heartbeat) resources: the hash of each one's secret token and its last ping (docs/push.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base, UTCDateTime, utcnow


class PushHeartbeat(Base):
    """One row per PUSH resource, written by the ping endpoint (any web node) and read by its probe (any worker):
    the database is where a ping and the verdict meet in a fleet."""

    __tablename__ = "push_heartbeat"

    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    # SHA-256 of the token (it has 192 random bits: no slow hash needed). Unique: serves the ping's lookup.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(8))  # the token's first characters, to tell tokens apart
    # When the token was issued (or rotated): a resource never pinged is late an interval + grace after this.
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_ping_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_signal: Mapped[str | None] = mapped_column(String(8), nullable=True)  # up | down | fail
    last_message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_source: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the pinging address
    last_body: Mapped[str | None] = mapped_column(Text, nullable=True)  # an excerpt, bounded
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # the last /start signal
    pings: Mapped[int] = mapped_column(Integer, default=0)
