"""What happened: raw check results, rollups, current state per resource and outages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base, BigId, JSONType, UTCDateTime

STATUS_LEN = 16


class CheckResult(Base):
    __tablename__ = "check_result"
    __table_args__ = (
        # Serves the history page and API: one resource's results, newest first, by time range.
        Index("ix_check_result_resource_checked", "resource_id", "checked_at"),
        # Serves retention pruning: delete everything older than a cut-off.
        Index("ix_check_result_checked_at", "checked_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    dns_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    connect_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    tls_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    ttfb_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    http_status: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)


class _RollupColumns:
    """Counts and latency sums per (resource, bucket); readers never scan raw history."""

    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch seconds, bucket start
    available: Mapped[int] = mapped_column(Integer, default=0)
    not_available: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    latency_count: Mapped[int] = mapped_column(Integer, default=0)
    latency_sum: Mapped[float] = mapped_column(Float, default=0.0)
    latency_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    latency_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    dns_count: Mapped[int] = mapped_column(Integer, default=0)
    dns_sum: Mapped[float] = mapped_column(Float, default=0.0)
    connect_count: Mapped[int] = mapped_column(Integer, default=0)
    connect_sum: Mapped[float] = mapped_column(Float, default=0.0)
    tls_count: Mapped[int] = mapped_column(Integer, default=0)
    tls_sum: Mapped[float] = mapped_column(Float, default=0.0)


# Rollups are clustered by (bucket, resource_id) (WITHOUT ROWID on SQLite): the dashboard reads one time range
# across all resources, which is then one sequential range instead of a lookup per row.
class Rollup15m(_RollupColumns, Base):
    __tablename__ = "rollup_15m"
    __table_args__ = (
        PrimaryKeyConstraint("bucket", "resource_id"),
        # Serves one resource's timeline and latency chart (detail page, 7 and 30 days).
        Index("ix_rollup_15m_resource_bucket", "resource_id", "bucket"),
        {"sqlite_with_rowid": False},
    )


class Rollup1d(_RollupColumns, Base):
    __tablename__ = "rollup_1d"
    __table_args__ = (
        PrimaryKeyConstraint("bucket", "resource_id"),
        # Serves one resource's long-window uptime.
        Index("ix_rollup_1d_resource_bucket", "resource_id", "bucket"),
        {"sqlite_with_rowid": False},
    )


class ResourceState(Base):
    """The latest verdict and the streaks that drive outages; survives restarts."""

    __tablename__ = "resource_state"

    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    fail_streak: Mapped[int] = mapped_column(Integer, default=0)
    ok_streak: Mapped[int] = mapped_column(Integer, default=0)
    streak_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_message: Mapped[str] = mapped_column(Text, default="")
    last_error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_http_status: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    last_details: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # The digest an image tag pointed at when last pullable: a different one later means the tag was re-pushed.
    image_digest: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Outage(Base):
    __tablename__ = "outage"
    __table_args__ = (
        # Serves a resource's outage history and "the active outage of this resource".
        Index("ix_outage_resource_started", "resource_id", "started_at"),
        # Serves the global outage list, newest first.
        Index("ix_outage_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
